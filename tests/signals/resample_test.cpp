#include "lockstep/signals/resample.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {
namespace {

constexpr double pi = 3.14159265358979323846;

// A linear chirp from f0 to f1 Hz over `seconds`, its value at time t.
struct chirp {
  double f0, f1, seconds;
  double operator()(double t) const {
    return std::sin(2 * pi * (f0 * t + (f1 - f0) * t * t / (2 * seconds)));
  }
};

std::vector<float> sampled(const chirp& c, double rate) {
  std::vector<float> x(static_cast<std::size_t>(c.seconds * rate));
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(c(static_cast<double>(i) / rate));
  return x;
}

// Output samples [start, start + n) read as a window is: only the input
// samples the window needs, zero outside the signal.
std::vector<float> read_window(const resampler& r, const std::vector<float>& x,
                               std::uint64_t start, std::uint64_t n) {
  auto [first, last] = r.input_span(start, n);
  std::vector<float> in(static_cast<std::size_t>(last - first), 0.0f);
  for (auto i = first; i < last; ++i)
    if (i >= 0 && i < static_cast<std::int64_t>(x.size()))
      in[static_cast<std::size_t>(i - first)] = x[static_cast<std::size_t>(i)];
  std::vector<float> y(n);
  r.apply(in.data(), first, start, n, y.data());
  return y;
}

struct rates {
  std::uint32_t in, out;
};

class resample_rates : public ::testing::TestWithParam<rates> {};

TEST_P(resample_rates, windows_are_cut_from_the_whole_signals_resampling_bit_for_bit) {
  auto [fi, fo] = GetParam();
  const double seconds = 600;
  chirp c{0.1, 0.4 * std::min(fi, fo), seconds};
  auto x = sampled(c, fi);
  resampler r{fi, fo};
  const auto total = static_cast<std::uint64_t>(seconds * fo);
  auto whole = read_window(r, x, 0, total);
  // Windows of 30 s (and odd ones) at arbitrary starts, edges included.
  const std::uint64_t n = 30 * fo;
  for (std::uint64_t start : {std::uint64_t{0}, std::uint64_t{1}, n, 7 * n + 3, total - n}) {
    auto w = read_window(r, x, start, n);
    ASSERT_EQ(std::memcmp(w.data(), whole.data() + start, n * sizeof(float)), 0)
      << "window at " << start << " differs from the whole signal's resampling";
  }
  auto odd = read_window(r, x, 12345 % (total - 97), 97);
  EXPECT_EQ(std::memcmp(odd.data(), whole.data() + 12345 % (total - 97), 97 * sizeof(float)), 0);
}

TEST_P(resample_rates, a_sweep_matches_the_band_limited_signal_within_the_documented_tolerance) {
  auto [fi, fo] = GetParam();
  const double seconds = 600;
  // Up to 40% of the lower rate (80% of its Nyquist frequency): inside the
  // filter's pass band.
  chirp c{0.1, 0.4 * std::min(fi, fo), seconds};
  auto x = sampled(c, fi);
  resampler r{fi, fo};
  const auto total = static_cast<std::uint64_t>(seconds * fo);
  auto y = read_window(r, x, 0, total);
  // Away from the ends, where the signal counts as 0 beyond them.
  const double margin = 60;
  double worst = 0;
  for (std::uint64_t j = 0; j < total; ++j) {
    double t = static_cast<double>(j) / fo;
    if (t < margin || t > seconds - margin)
      continue;
    worst = std::max(worst, std::abs(y[j] - c(t)));
  }
  EXPECT_LT(worst, 1e-4) << fi << " Hz to " << fo << " Hz";  // docs/signals.md: 1e-4 of the amplitude
}

INSTANTIATE_TEST_SUITE_P(rates, resample_rates,
                         ::testing::Values(rates{100, 128}, rates{128, 100}, rates{100, 64},
                                           rates{1, 100}, rates{100, 256}, rates{200, 100}));

TEST(resample, equal_rates_are_the_identity_and_a_constant_stays_that_constant) {
  EXPECT_TRUE((resampler{3000, 3000}.identity()));
  EXPECT_FALSE((resampler{3000, 3840}.identity()));
  resampler r{30, 3000};  // 1 Hz to 100 Hz
  std::vector<float> x(600, 37.25f);
  auto y = read_window(r, x, 100 * 100, 30 * 100);
  for (auto v : y)
    ASSERT_NEAR(v, 37.25f, 1e-5);
}

TEST(resample, a_ratio_with_too_many_phases_is_refused) {
  try {
    resampler r{1, max_resample_phases + 1};
    FAIL() << "accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    EXPECT_NE(std::string{e.what()}.find("filter phases"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lockstep::signals
