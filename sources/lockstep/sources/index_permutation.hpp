// A seeded bijection on [0, n): a shuffled order without a permutation table. API.
#pragma once

#include <array>
#include <cstdint>

namespace lockstep {

/// A pseudo-random permutation of [0, n), n up to 2^62, computed per index
/// in O(1) time and memory: a balanced Feistel network over the smallest
/// power of 4 not below n, keyed from `seed` (splitmix64), with cycle
/// walking back into [0, n) (fewer than 4 rounds of it on average). The
/// same seed gives the same order on every platform; at(i) for i >= n is
/// not defined. n = 0 is allowed and has no index.
class index_permutation {
 public:
  static constexpr std::uint64_t max_size = std::uint64_t{1} << 62;

  /// Throws lockstep::error(invalid_config) for n > max_size.
  index_permutation(std::uint64_t n, std::uint64_t seed);

  std::uint64_t at(std::uint64_t i) const;
  std::uint64_t size() const noexcept { return n_; }

 private:
  std::uint64_t once(std::uint64_t x) const;

  std::uint64_t n_;
  unsigned half_bits_ = 1;  // the domain is 2^(2 * half_bits_)
  std::array<std::uint64_t, 6> keys_{};
};

}  // namespace lockstep
