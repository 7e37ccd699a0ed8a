#include "lockstep/sources/index_permutation.hpp"

#include <string>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep {

index_permutation::index_permutation(std::uint64_t n, std::uint64_t seed) : n_(n) {
  if (n > max_size)
    throw error(errc::invalid_config, "a shuffled order covers at most 2^62 items, not "
                                        + std::to_string(n));
  while ((std::uint64_t{1} << (2 * half_bits_)) < n)
    ++half_bits_;
  auto x = seed;
  for (auto& k : keys_)
    k = splitmix64(x);
}

std::uint64_t index_permutation::once(std::uint64_t x) const {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits_) - 1;
  auto left = x >> half_bits_, right = x & mask;
  for (auto key : keys_) {
    // Any round function gives a bijection; this one mixes well (splitmix64's finalizer).
    auto f = right ^ key;
    f = (f ^ (f >> 30)) * 0xBF58476D1CE4E5B9ULL;
    f = (f ^ (f >> 27)) * 0x94D049BB133111EBULL;
    f ^= f >> 31;
    auto next = left ^ (f & mask);
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

std::uint64_t index_permutation::at(std::uint64_t i) const {
  // Cycle walking: the walk from i < n returns into [0, n) along i's cycle
  // of the domain's permutation, so the map stays a bijection on [0, n).
  auto x = once(i);
  while (x >= n_)
    x = once(x);
  return x;
}

}  // namespace lockstep
