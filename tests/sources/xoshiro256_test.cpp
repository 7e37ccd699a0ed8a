#include "lockstep/sources/xoshiro256.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep {
namespace {

// Golden values: a change of compiler or platform that alters them breaks
// cross-machine replay, so they are pinned here.
TEST(xoshiro256, golden_sequence) {
  xoshiro256ss rng{0};
  EXPECT_EQ(rng.words()[0], 0xe220a8397b1dcdafULL);  // splitmix64(0), first output
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 3; ++i)
    got.push_back(rng());
  xoshiro256ss again{0};
  for (auto g : got)
    EXPECT_EQ(again(), g);
  EXPECT_EQ(got[0], 0x99ec5f36cb75f2b4ULL);
}

TEST(xoshiro256, reference_words) {
  // xoshiro256** with state {1, 2, 3, 4}: the reference implementation's
  // first outputs are 11520, 0, 1509978240, 1215971899390074240.
  auto rng = xoshiro256ss::from_words({1, 2, 3, 4});
  EXPECT_EQ(rng(), 11520u);
  EXPECT_EQ(rng(), 0u);
  EXPECT_EQ(rng(), 1509978240u);
  EXPECT_EQ(rng(), 1215971899390074240u);
}

TEST(xoshiro256, uniform_below_stays_in_range_and_covers_it) {
  xoshiro256ss rng{7};
  std::vector<int> seen(6, 0);
  for (int i = 0; i < 6000; ++i) {
    auto x = uniform_below(rng, 6);
    ASSERT_LT(x, 6u);
    ++seen[x];
  }
  for (auto n : seen)
    EXPECT_GT(n, 800);
  EXPECT_EQ(uniform_below(rng, 1), 0u);
}

TEST(xoshiro256, uniform01_is_in_the_unit_interval) {
  xoshiro256ss rng{8};
  for (int i = 0; i < 1000; ++i) {
    auto u = uniform01(rng);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(xoshiro256, json_round_trip_and_errors) {
  xoshiro256ss rng{123};
  rng();
  boost::json::object obj;
  write_rng(obj, rng);
  EXPECT_EQ(read_rng(obj, "state"), rng);
  auto bad = obj;
  bad["rng"] = "pcg64";
  EXPECT_THROW(read_rng(bad, "state"), error);
  bad = obj;
  bad["s"] = boost::json::array{"0", "0", "0", "0"};
  EXPECT_THROW(read_rng(bad, "state"), error);  // all zeros
  bad = obj;
  bad["s"] = boost::json::array{"1", "2", "zz", "4"};
  try {
    read_rng(bad, "state");
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("state.s[2]"), std::string::npos);
  }
}

}  // namespace
}  // namespace lockstep
