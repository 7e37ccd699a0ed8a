#include "lockstep/signals/scaling.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::signals {
namespace {

// numpy.percentile(x, 100 q), written out plainly over a sorted copy.
double numpy_percentile(std::vector<float> x, double q) {
  std::sort(x.begin(), x.end());
  double h = static_cast<double>(x.size() - 1) * q;
  auto lo = static_cast<std::size_t>(std::floor(h));
  auto hi = std::min(lo + 1, x.size() - 1);
  double t = h - static_cast<double>(lo), a = x[lo], b = x[hi];
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

TEST(scaling, robust_statistics_are_numpys_median_and_interquartile_range) {
  std::vector<float> four{4, 1, 3, 2};  // numpy: 25% 1.75, 50% 2.5, 75% 3.25
  EXPECT_EQ(robust_statistics(four), (channel_scale{2.5, 1.5}));
  std::vector<float> five{5, 3, 1, 4, 2};
  EXPECT_EQ(robust_statistics(five), (channel_scale{3, 2}));
  std::vector<float> one{7};
  EXPECT_EQ(robust_statistics(one), (channel_scale{7, 0}));
  xoshiro256ss rng{5};
  for (std::size_t n : {2u, 3u, 10u, 1001u, 40000u}) {
    std::vector<float> x(n);
    for (auto& v : x)
      v = static_cast<float>(uniform01(rng) * 200 - 100);
    auto copy = x;
    auto s = robust_statistics(copy);
    EXPECT_EQ(s.center, numpy_percentile(x, 0.5)) << n;
    EXPECT_EQ(s.spread, numpy_percentile(x, 0.75) - numpy_percentile(x, 0.25)) << n;
  }
}

TEST(scaling, zscore_statistics_are_the_mean_and_the_population_deviation) {
  std::vector<float> x{1, 2, 3, 4};
  auto s = zscore_statistics(x);
  EXPECT_EQ(s.center, 2.5);
  EXPECT_DOUBLE_EQ(s.spread, std::sqrt(1.25));
}

TEST(scaling, values_are_centred_divided_and_clipped) {
  std::vector<float> y{0, 10, 1000, -1000};
  apply_scale(y.data(), y.size(), {10, 2}, 20);
  EXPECT_EQ(y, (std::vector<float>{-5, 0, 20, -20}));
  std::vector<float> z{1000};
  apply_scale(z.data(), 1, {0, 2}, 0);
  EXPECT_EQ(z[0], 500);
}

TEST(scaling, names_parse_and_print) {
  for (auto s : {scaling::none, scaling::robust, scaling::zscore})
    EXPECT_EQ(parse_scaling(scaling_name(s)), s);
  EXPECT_THROW(parse_scaling("Robust"), error);
}

}  // namespace
}  // namespace lockstep::signals
