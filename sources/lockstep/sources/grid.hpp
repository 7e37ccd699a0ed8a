// The grid source: every combination of several lists, lazily, in order or shuffled. API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

#include "lockstep/sources/index_permutation.hpp"

namespace lockstep {

struct grid_params {
  std::vector<std::uint64_t> axes;  ///< each list's length (at least one list, each >= 1)
  std::uint64_t runs = 1;           ///< each combination this many times (>= 1)
  /// A seed: the combinations in a seeded random order (index_permutation);
  /// none: in order, the last axis fastest.
  std::optional<std::uint64_t> shuffle{};

  /// Throws lockstep::error(invalid_config) naming the bad field, also when
  /// the product of the axes times runs exceeds index_permutation::max_size.
  void validate() const;
  /// The product of the axes times runs: the batches of one pass.
  std::uint64_t length() const;
};

/// JSON: {"axes": [N, ...], "runs": R, "shuffle": S | null}; reading names an
/// unknown or malformed field.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const grid_params& p);
grid_params tag_invoke(boost::json::value_to_tag<grid_params>, const boost::json::value& v);

/// Where a grid stands: how many batches came before.
struct grid_state {
  std::uint64_t index = 0;
  /// The start (a grid's order is set by its parameters, not by a seed).
  static grid_state seeded(std::uint64_t) { return {}; }
  friend bool operator==(const grid_state&, const grid_state&) = default;
};

/// JSON: {"index": N}.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const grid_state& s);
grid_state tag_invoke(boost::json::value_to_tag<grid_state>, const boost::json::value& v);

struct grid_batch {
  std::uint64_t index = 0;        ///< its position in the run
  std::uint64_t combination = 0;  ///< which combination, 0 .. product - 1
  std::uint64_t run = 0;          ///< which of its runs, 0 .. runs - 1
  friend bool operator==(const grid_batch&, const grid_batch&) = default;
};

/// A combination: its position in each list.
struct grid_output {
  std::uint64_t index = 0;
  std::uint64_t run = 0;
  std::vector<std::uint64_t> at;
  friend bool operator==(const grid_output&, const grid_output&) = default;
};

template <class Archive>
void serialize(Archive& ar, grid_batch& x) {
  ar(x.index, x.combination, x.run);
}

template <class Archive>
void serialize(Archive& ar, grid_output& x) {
  ar(x.index, x.run, x.at);
}

/// InvokeAI's batch sessions, made lazy: the cartesian product of the axes,
/// each combination `runs` times (the whole product once per run, in
/// order), or with `shuffle` all of them in a seeded random order. Nothing
/// is built up front: a grid of 10^12 combinations starts, and resumes from
/// its state, in O(1) time and memory, and a batch is a combination.
class grid {
 public:
  using state_type = grid_state;
  using batch_type = grid_batch;
  using output_type = grid_output;
  static constexpr std::string_view name = "grid";
  static constexpr std::uint32_t state_version = 1;

  explicit grid(grid_params p);

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const;
  output_type materialize(const batch_type& b) const;

  std::string params() const;
  static grid from_params(const boost::json::value& v);
  /// The axes, runs and shuffle seed: all of them shape the sequence.
  std::string fingerprint() const { return fingerprint_; }
  static std::uint64_t index_of(const state_type& s) noexcept { return s.index; }

  const grid_params& settings() const noexcept { return params_; }
  std::uint64_t length() const noexcept { return length_; }

 private:
  grid_params params_;
  std::uint64_t combinations_ = 1;
  std::uint64_t length_ = 0;
  std::optional<index_permutation> order_;
  std::string fingerprint_;
};

}  // namespace lockstep
