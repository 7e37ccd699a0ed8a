#include "lockstep/signals/scaling.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {

std::string_view scaling_name(scaling s) {
  switch (s) {
    case scaling::none: return "none";
    case scaling::robust: return "robust";
    case scaling::zscore: return "zscore";
  }
  return "none";
}

scaling parse_scaling(std::string_view text) {
  for (auto s : {scaling::none, scaling::robust, scaling::zscore})
    if (text == scaling_name(s))
      return s;
  throw error(errc::invalid_config,
              "scaling must be none, robust or zscore, not \"" + std::string{text} + "\"");
}

namespace {

// NumPy's linear percentile: the value at position (n - 1) * q, interpolated
// from the nearer of its two ranks (numpy.lib.function_base._lerp).
double lerp(double a, double b, double t) {
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

}  // namespace

channel_scale robust_statistics(std::vector<float>& x) {
  constexpr double qs[] = {0.25, 0.5, 0.75};
  // The ranks these read, found in ascending order: after nth_element puts
  // rank k in place, [k + 1, n) holds exactly the ranks above it, so each
  // search only partitions what is left.
  std::size_t lo[3];
  double t[3];
  for (int i = 0; i < 3; ++i) {
    const double h = static_cast<double>(x.size() - 1) * qs[i];
    lo[i] = static_cast<std::size_t>(std::floor(h));
    t[i] = h - static_cast<double>(lo[i]);
  }
  std::size_t from = 0;
  auto rank = [&](std::size_t k) -> double {
    k = std::min(k, x.size() - 1);
    if (k >= from) {
      std::nth_element(x.begin() + static_cast<std::ptrdiff_t>(from),
                       x.begin() + static_cast<std::ptrdiff_t>(k), x.end());
      from = k + 1;
    }
    return x[k];
  };
  double v[3];
  for (int i = 0; i < 3; ++i) {
    const double a = rank(lo[i]);
    const double b = rank(lo[i] + 1);
    v[i] = lerp(a, b, t[i]);
  }
  return {v[1], v[2] - v[0]};
}

channel_scale zscore_statistics(const std::vector<float>& x) {
  double sum = 0;
  for (auto v : x)
    sum += v;
  const double mean = sum / static_cast<double>(x.size());
  double squares = 0;
  for (auto v : x)
    squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(x.size()))};
}

void apply_scale(float* y, std::size_t n, const channel_scale& s, double clip) {
  for (std::size_t i = 0; i < n; ++i) {
    double v = (static_cast<double>(y[i]) - s.center) / s.spread;
    if (clip > 0)
      v = std::clamp(v, -clip, clip);
    y[i] = static_cast<float>(v);
  }
}

}  // namespace lockstep::signals
