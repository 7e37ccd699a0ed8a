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
  // Four outputs at a time, each summed over its taps in order: the same
  // bytes as one at a time, but four independent chains of additions keep
  // the FPU busy where one would wait on each add's latency.
  constexpr std::size_t lanes = 4;
  const double* taps[lanes];
  const float* in[lanes];
  std::uint64_t j = 0;
  auto next = [&](std::size_t lane) {
    taps[lane] = table_.data() + r * width;
    in[lane] = x + (q - half_ + 1 - first);
    r += num_;
    q += static_cast<std::int64_t>(r / den_);
    r %= den_;
  };
  for (; j + lanes <= n; j += lanes) {
    for (std::size_t l = 0; l < lanes; ++l)
      next(l);
    const float *x0 = in[0], *x1 = in[1], *x2 = in[2], *x3 = in[3];
    const double *h0 = taps[0], *h1 = taps[1], *h2 = taps[2], *h3 = taps[3];
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t k = 0; k < width; ++k) {
      s0 += static_cast<double>(x0[k]) * h0[k];
      s1 += static_cast<double>(x1[k]) * h1[k];
      s2 += static_cast<double>(x2[k]) * h2[k];
      s3 += static_cast<double>(x3[k]) * h3[k];
    }
    y[j] = static_cast<float>(s0);
    y[j + 1] = static_cast<float>(s1);
    y[j + 2] = static_cast<float>(s2);
    y[j + 3] = static_cast<float>(s3);
  }
  for (; j < n; ++j) {
    next(0);
    double sum = 0;
    for (std::size_t k = 0; k < width; ++k)
      sum += static_cast<double>(in[0][k]) * taps[0][k];
    y[j] = static_cast<float>(sum);
  }
}

}  // namespace lockstep::signals
