// xoshiro256**: the named generator every built-in source draws from.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace lockstep {

/// xoshiro256** 1.0 (Blackman and Vigna, 2018), seeded through splitmix64.
/// Together with the sampling functions below it gives the same numbers on
/// every platform and standard library, which std::*_distribution does not.
class xoshiro256ss {
 public:
  static constexpr std::string_view name = "xoshiro256**";

  /// Seeds the four words from splitmix64(seed).
  explicit xoshiro256ss(std::uint64_t seed = 0);

  /// Throws lockstep::error(invalid_state) for the all-zero state, from which
  /// the generator would emit only zeros.
  static xoshiro256ss from_words(const std::array<std::uint64_t, 4>& words);

  std::uint64_t operator()();
  const std::array<std::uint64_t, 4>& words() const noexcept { return s_; }

  friend bool operator==(const xoshiro256ss&, const xoshiro256ss&) = default;

 private:
  std::array<std::uint64_t, 4> s_{};
};

/// The splitmix64 step: advances `x` and returns a well-mixed word.
std::uint64_t splitmix64(std::uint64_t& x);

/// Uniform in [0, n) without bias (Lemire's method); n must be > 0.
std::uint64_t uniform_below(xoshiro256ss& rng, std::uint64_t n);

/// Uniform in [0, 1) with 53 random bits.
double uniform01(xoshiro256ss& rng);

/// Writes {"rng": "xoshiro256**", "s": ["<16 hex digits>" × 4]} into `obj`.
void write_rng(boost::json::object& obj, const xoshiro256ss& rng);

/// Reads what write_rng wrote; throws lockstep::error(invalid_state) naming
/// `what` and the bad field (unknown generator, wrong word count, bad hex).
xoshiro256ss read_rng(const boost::json::object& obj, std::string_view what);

}  // namespace lockstep
