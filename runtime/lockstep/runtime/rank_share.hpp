// One rank's share of a data-parallel job's global stream. API.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep {

/// How the ranks divide the global stream (docs/ranks.md).
enum class shard_mode {
  /// Rank r takes global batches r, r + R, r + 2R, ...: any source.
  interleave,
  /// Every rank takes a contiguous part of every global batch: sources
  /// whose batch is a list of items (they provide part_of).
  split,
};

std::string_view to_string(shard_mode m);
/// "interleave" or "split"; throws error(invalid_config) naming the value.
shard_mode parse_shard_mode(std::string_view text);

/// Ranks of a job at most (a step of interleave iterates world_size batches).
inline constexpr std::size_t max_world_size = std::size_t{1} << 20;

struct rank_spec {
  std::size_t rank = 0;
  std::size_t world_size = 1;
  shard_mode mode = shard_mode::interleave;
};

/// Throws error(invalid_config) naming the field: world_size 0 or above
/// max_world_size, or a rank not below it.
void validate(const rank_spec& r);

/// Items [first, last) of part `part` of `parts` of a batch of `items`
/// items: contiguous, in order, the first `items % parts` parts one item
/// longer than the others (as numpy.array_split). Throws error(invalid_config)
/// for a part that does not exist.
std::pair<std::size_t, std::size_t> part_range(std::size_t items, std::size_t part,
                                               std::size_t parts);

/// A source whose batch can be split into contiguous parts of its items.
template <class S>
concept splittable_source =
  source<S> && requires(const S& s, const typename S::batch_type& b, std::size_t i) {
    { s.part_of(b, i, i) } -> std::same_as<typename S::batch_type>;
  };

/// The source rank `spec.rank` of `spec.world_size` runs: one step of it is
/// one step of the job, the same on every rank.
///
/// Every rank iterates the same global sequence (iteration is cheap) and
/// materializes only its share, so no rank talks to another for the order.
/// A step starts at a global state and ends at the same global state on
/// every rank: the state after the R global batches of the step
/// (interleave) or after its one global batch (split). That state is the
/// inner source's own, under its name and fingerprint, so a checkpoint of
/// any rank (or of a run without ranks) resumes the job at any world size,
/// shard mode, worker or node count, continuing the global stream exactly.
///
/// A finite source ends exactly and on the same step for every rank: in
/// interleave mode, the last step may hold fewer than R global batches, and
/// the ranks past its end get an empty output (std::nullopt, the mask)
/// instead of a duplicate. In split mode every step has a part for every
/// rank (empty when the batch has fewer items than ranks).
template <source S>
class rank_share {
 public:
  using inner_batch = typename S::batch_type;
  using inner_output = typename S::output_type;
  using state_type = typename S::state_type;
  using batch_type = std::optional<inner_batch>;    ///< nullopt: masked
  using output_type = std::optional<inner_output>;  ///< nullopt: masked
  // Saved under the inner source's name and version: one state, one stream.
  static constexpr std::string_view name = S::name;
  static constexpr std::uint32_t state_version = state_version_of<S>();

  /// Throws error(invalid_config): a bad spec, or split for a source that
  /// cannot split its batches.
  rank_share(S inner, rank_spec spec) : inner_(std::move(inner)), spec_(spec) {
    validate(spec_);
    if (spec_.mode == shard_mode::split && !splittable_source<S>)
      throw error(errc::invalid_config,
                  std::string{"shard split: the "} + std::string{S::name} +
                    " source's batches cannot be split into parts (use interleave)");
  }

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    if (spec_.mode == shard_mode::split)
      return iterate_split(s);
    std::optional<std::pair<batch_type, state_type>> step;
    const state_type* at = &s;
    for (std::size_t i = 0; i < spec_.world_size; ++i) {
      auto next = inner_.iterate(*at);
      if (!next)
        break;
      if (!step)
        step.emplace();
      if (i == spec_.rank)
        step->first = std::move(next->first);
      step->second = std::move(next->second);
      at = &step->second;
    }
    return step;
  }

  output_type materialize(const batch_type& b) const {
    if (!b)
      return std::nullopt;
    return inner_.materialize(*b);
  }

  std::size_t output_bytes(const output_type& o) const {
    return o ? detail::output_bytes_of(inner_, *o) : sizeof(o);
  }

  /// The inner source's: ranks do not change what the global stream is.
  std::string fingerprint() const { return detail::fingerprint_of(inner_); }

  static std::uint64_t index_of(const state_type& s)
    requires detail::has_index_of<S>
  {
    return S::index_of(s);
  }

  /// Global batches one step of this share advances (R, or 1 for split).
  std::size_t stride() const { return spec_.mode == shard_mode::split ? 1 : spec_.world_size; }
  const rank_spec& spec() const { return spec_; }
  const S& inner() const { return inner_; }

 private:
  std::optional<std::pair<batch_type, state_type>> iterate_split(const state_type& s) const {
    if constexpr (splittable_source<S>) {
      auto next = inner_.iterate(s);
      if (!next)
        return std::nullopt;
      return std::pair{batch_type{inner_.part_of(next->first, spec_.rank, spec_.world_size)},
                       std::move(next->second)};
    } else {
      return std::nullopt;  // refused by the constructor
    }
  }

  S inner_;
  rank_spec spec_;
};

}  // namespace lockstep
