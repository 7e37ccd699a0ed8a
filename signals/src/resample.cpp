#include "lockstep/signals/resample.hpp"

#include <cmath>
#include <numeric>
#include <string>

#include "lockstep/messages/errors.hpp"
#include "lockstep/signals/portable_math.hpp"

namespace lockstep::signals {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double kaiser_beta = 8.6;
constexpr std::int64_t zero_crossings = 24;

double sinc(double t) {
  return t == 0 ? 1.0 : portable_sin(pi * t) / (pi * t);
}

}  // namespace

resampler::resampler(std::uint64_t in, std::uint64_t out) {
  if (in == 0 || out == 0)
    throw error(errc::invalid_config, "a resampling ratio needs samples on both sides");
  auto g = std::gcd(in, out);
  num_ = in / g;
  den_ = out / g;
  if (identity())
    return;
  if (den_ > max_resample_phases || num_ > max_resample_phases * zero_crossings)
    throw error(errc::invalid_config,
                "resampling " + std::to_string(in) + " samples to " + std::to_string(out)
                  + " needs " + std::to_string(den_) + " filter phases; at most "
                  + std::to_string(max_resample_phases) + " are supported (choose a rate with a "
                  "simpler ratio to the signal's own)");
  // The cutoff, in units of the input's Nyquist frequency.
  const double c = num_ > den_ ? static_cast<double>(den_) / static_cast<double>(num_) : 1.0;
  half_ = num_ > den_ ? static_cast<std::int64_t>(
                          (static_cast<std::uint64_t>(zero_crossings) * num_ + den_ - 1) / den_)
                      : zero_crossings;
  const auto width = static_cast<std::size_t>(2 * half_);
  const double i0_beta = portable_bessel_i0(kaiser_beta);
  table_.resize(den_ * width);
  for (std::uint64_t r = 0; r < den_; ++r) {
    const double frac = static_cast<double>(r) / static_cast<double>(den_);
    double* taps = table_.data() + r * width;
    double sum = 0;
    for (std::int64_t m = -half_ + 1; m <= half_; ++m) {
      const double x = static_cast<double>(m) - frac;
      const double u = x / static_cast<double>(half_);
      const double w = u * u < 1 ? portable_bessel_i0(kaiser_beta * std::sqrt(1 - u * u)) / i0_beta
                                 : 0.0;
      const double h = c * sinc(c * x) * w;
      taps[m + half_ - 1] = h;
      sum += h;
    }
    for (std::size_t k = 0; k < width; ++k)
      taps[k] /= sum;
  }
}

std::pair<std::int64_t, std::int64_t> resampler::input_span(std::uint64_t start,
                                                            std::uint64_t n) const {
  auto q = [this](std::uint64_t j) {
    return static_cast<std::int64_t>(static_cast<unsigned __int128>(j) * num_ / den_);
  };
  if (identity())
    return {static_cast<std::int64_t>(start), static_cast<std::int64_t>(start + n)};
  return {q(start) - half_ + 1, q(start + n - 1) + half_ + 1};
}

void resampler::apply(const float* x, std::int64_t first, std::uint64_t start, std::uint64_t n,
                      float* y) const {
  const auto width = static_cast<std::size_t>(2 * half_);
  const auto t = static_cast<unsigned __int128>(start) * num_;
  auto q = static_cast<std::int64_t>(t / den_);
  auto r = static_cast<std::uint64_t>(t % den_);
  for (std::uint64_t j = 0; j < n; ++j) {
    const double* taps = table_.data() + r * width;
    const float* in = x + (q - half_ + 1 - first);
    double sum = 0;
    for (std::size_t k = 0; k < width; ++k)
      sum += static_cast<double>(in[k]) * taps[k];
    y[j] = static_cast<float>(sum);
    r += num_;
    q += static_cast<std::int64_t>(r / den_);
    r %= den_;
  }
}

}  // namespace lockstep::signals
