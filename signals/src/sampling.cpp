#include "lockstep/signals/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {

weighted_choice::weighted_choice(std::span<const double> weights, const std::string& what) {
  if (weights.empty())
    throw error(errc::invalid_config, what + " is empty");
  sums_.reserve(weights.size());
  double sum = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    auto w = weights[i];
    if (!(std::isfinite(w) && w >= 0))
      throw error(errc::invalid_config, what + "[" + std::to_string(i)
                                          + "] must be a finite number >= 0");
    sum += w;
    sums_.push_back(sum);
    if (w > 0)
      last_positive_ = i;
  }
  if (!(sum > 0))
    throw error(errc::invalid_config, what + " are all zero");
  if (!std::isfinite(sum))
    throw error(errc::invalid_config, what + " sum to more than a double holds");
}

weighted_choice weighted_choice::uniform(std::size_t n) {
  if (n == 0)
    throw error(errc::invalid_config, "a uniform choice needs at least one item");
  weighted_choice c;
  c.sums_.resize(n);
  std::iota(c.sums_.begin(), c.sums_.end(), 1.0);
  c.last_positive_ = n - 1;
  return c;
}

std::size_t weighted_choice::operator()(xoshiro256ss& rng) const {
  auto u = uniform01(rng) * sums_.back();
  auto i = static_cast<std::size_t>(std::upper_bound(sums_.begin(), sums_.end(), u) - sums_.begin());
  // u < total in exact arithmetic, but the product can round up to it.
  return i < sums_.size() ? i : last_positive_;
}

void draw_without_replacement(xoshiro256ss& rng, std::size_t n, std::size_t k,
                              std::vector<std::size_t>& out) {
  // Only the first k positions of the permutation are ever looked at, but a
  // swap can bring any later one forward: keep the whole identity.
  thread_local std::vector<std::size_t> perm;
  perm.resize(n);
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  for (std::size_t j = 0; j < k; ++j) {
    auto t = j + static_cast<std::size_t>(uniform_below(rng, n - j));
    std::swap(perm[j], perm[t]);
    out.push_back(perm[j]);
  }
}

}  // namespace lockstep::signals
