// The shuffle's bijection: a permutation of [0, n) for every n, per seed.
#include "lockstep/sources/index_permutation.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep {
namespace {

// Exhaustive over small sizes (every power-of-4 boundary up to 1025) and a
// few seeds: each index comes out exactly once.
TEST(index_permutation, is_a_permutation_for_every_small_size) {
  for (std::uint64_t seed : {0ull, 1ull, 0xDEADBEEFull}) {
    for (std::uint64_t n = 1; n <= 1025; ++n) {
      index_permutation p{n, seed};
      std::vector<bool> seen(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        auto x = p.at(i);
        ASSERT_LT(x, n) << "n " << n << " seed " << seed;
        ASSERT_FALSE(seen[x]) << "n " << n << " seed " << seed << ": " << x << " twice";
        seen[x] = true;
      }
    }
  }
}

TEST(index_permutation, shuffles_and_depends_on_the_seed) {
  index_permutation a{1000, 1}, b{1000, 2};
  int fixed = 0, same = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    fixed += a.at(i) == i ? 1 : 0;
    same += a.at(i) == b.at(i) ? 1 : 0;
  }
  EXPECT_LT(fixed, 20);  // a random permutation fixes about 1 point
  EXPECT_LT(same, 20);
  EXPECT_EQ(index_permutation(1000, 1).at(123), a.at(123));  // the seed decides
}

// The same numbers on every platform: pinned values of one seed.
TEST(index_permutation, its_order_is_pinned) {
  index_permutation p{10, 42};
  std::vector<std::uint64_t> got;
  for (std::uint64_t i = 0; i < 10; ++i)
    got.push_back(p.at(i));
  static const std::vector<std::uint64_t> pinned{2, 7, 4, 0, 8, 3, 6, 9, 5, 1};
  EXPECT_EQ(got, pinned);
}

TEST(index_permutation, huge_sizes_work_in_constant_time_and_too_huge_are_refused) {
  index_permutation p{index_permutation::max_size, 5};
  EXPECT_LT(p.at(index_permutation::max_size - 1), index_permutation::max_size);
  index_permutation t{1'000'000'000'000ull, 5};
  EXPECT_LT(t.at(999'999'999'999ull), 1'000'000'000'000ull);
  EXPECT_THROW((index_permutation{index_permutation::max_size + 1, 0}), error);
}

}  // namespace
}  // namespace lockstep
