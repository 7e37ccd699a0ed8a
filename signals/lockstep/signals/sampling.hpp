// The draws random_batches makes, written out so every platform makes them
// alike (std::*_distribution does not).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::signals {

/// Draws index i with probability weights[i] / sum(weights).
///
/// Keeps the running sums c[i] = w[0] + ... + w[i], added left to right in
/// double. One draw is exactly one uniform01() call: u = uniform01() * c[n-1],
/// and the result is the first i with c[i] > u, so an index of weight 0 is
/// never drawn.
class weighted_choice {
 public:
  /// Throws lockstep::error(invalid_config) naming `what` when a weight is
  /// negative or not finite, or when they are empty or all zero.
  weighted_choice(std::span<const double> weights, const std::string& what);

  /// n equal weights.
  static weighted_choice uniform(std::size_t n);

  std::size_t operator()(xoshiro256ss& rng) const;

  std::size_t size() const noexcept { return sums_.size(); }
  double weight(std::size_t i) const noexcept { return i == 0 ? sums_[0] : sums_[i] - sums_[i - 1]; }

 private:
  weighted_choice() = default;
  std::vector<double> sums_;
  std::size_t last_positive_ = 0;
};

/// Appends k distinct values of [0, n) to `out`, in the order drawn: a partial
/// Fisher-Yates shuffle of 0..n-1 whose step j swaps position j with
/// j + uniform_below(n - j); exactly k uniform_below() calls. Needs k <= n.
void draw_without_replacement(xoshiro256ss& rng, std::size_t n, std::size_t k,
                              std::vector<std::size_t>& out);

}  // namespace lockstep::signals
