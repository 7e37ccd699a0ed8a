#include "lockstep/signals/sampling.hpp"

#include <algorithm>
#include <set>

#include <cmath>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {
namespace {

TEST(sampling, weighted_choice_never_draws_a_zero_weight) {
  std::vector<double> w{0, 1, 0, 2, 0};
  weighted_choice choose{w, "w"};
  xoshiro256ss rng{3};
  int ones = 0, threes = 0;
  for (int i = 0; i < 30000; ++i) {
    auto k = choose(rng);
    ASSERT_TRUE(k == 1 || k == 3) << k;
    (k == 1 ? ones : threes)++;
  }
  EXPECT_NEAR(threes / 30000.0, 2.0 / 3.0, 0.02);
}

TEST(sampling, a_draw_is_one_uniform01_against_the_running_sums) {
  std::vector<double> w{1, 2, 3, 4};
  weighted_choice choose{w, "w"};
  xoshiro256ss a{11}, b{11};
  for (int i = 0; i < 1000; ++i) {
    auto got = choose(a);
    auto u = uniform01(b) * 10.0;
    std::size_t want = u < 1 ? 0 : u < 3 ? 1 : u < 6 ? 2 : 3;
    ASSERT_EQ(got, want);
    ASSERT_EQ(a, b);
  }
}

TEST(sampling, uniform_covers_every_index) {
  auto choose = weighted_choice::uniform(7);
  xoshiro256ss rng{1};
  std::set<std::size_t> seen;
  for (int i = 0; i < 500; ++i)
    seen.insert(choose(rng));
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_THROW(weighted_choice::uniform(0), error);
}

TEST(sampling, bad_weights_are_named) {
  auto message = [](std::vector<double> w) {
    try {
      weighted_choice{w, "label_weights[2]"};
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      return std::string{e.what()};
    }
    return std::string{"no error"};
  };
  EXPECT_EQ(message({1, -1}), "label_weights[2][1] must be a finite number >= 0");
  EXPECT_EQ(message({1, std::nan("")}), "label_weights[2][1] must be a finite number >= 0");
  EXPECT_EQ(message({0, 0}), "label_weights[2] are all zero");
  EXPECT_EQ(message({}), "label_weights[2] is empty");
}

TEST(sampling, draws_without_replacement_by_a_partial_fisher_yates) {
  xoshiro256ss a{5}, b{5};
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> got;
    draw_without_replacement(a, 9, 4, got);
    ASSERT_EQ(got.size(), 4u);
    std::vector<std::size_t> perm{0, 1, 2, 3, 4, 5, 6, 7, 8}, want;
    for (std::size_t j = 0; j < 4; ++j) {
      std::swap(perm[j], perm[j + uniform_below(b, 9 - j)]);
      want.push_back(perm[j]);
    }
    ASSERT_EQ(got, want);
    ASSERT_EQ(std::set<std::size_t>(got.begin(), got.end()).size(), 4u);
  }
  std::vector<std::size_t> all;
  draw_without_replacement(a, 6, 6, all);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace lockstep::signals
