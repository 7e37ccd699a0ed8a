// What a source must provide to be run by a batcher. API.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "lockstep/detail/state_json.hpp"

namespace lockstep {

/// A source turns states into batches, cheaply, and batches into outputs,
/// expensively:
///
///     struct my_source {
///       using state_type = ...;   // copyable, ==, JSON (see below)
///       using batch_type = ...;   // what iterate hands to materialize
///       using output_type = ...;  // what the client receives
///       static constexpr std::string_view name = "my_source";
///       std::optional<std::pair<batch_type, state_type>> iterate(const state_type&) const;
///       output_type materialize(const batch_type&) const;
///     };
///
/// iterate must be pure (nullopt ends a finite source); materialize must be
/// deterministic and may throw: a std::exception is retried, a
/// lockstep::permanent_error is not. Both are called from several threads at
/// once. A state is an integer, a bool or a std::string, or has Boost.JSON
/// tag_invoke overloads (value_from and value_to) for checkpoints; 64-bit
/// values must round-trip exactly (as JSON integers or strings, never
/// doubles).
///
/// Optional:
/// - `static constexpr std::uint32_t state_version`, bumped when the state's
///   JSON changes (default 1);
/// - serialize() for output_type and batch_type (lockstep/messages/serialize.hpp),
///   for digests and remote nodes;
/// - `std::string params() const` (JSON text) and
///   `static S from_params(const boost::json::value&)`, with which a node
///   builds the same source (source_registry), for remote nodes;
/// - `std::string fingerprint() const`: JSON text naming everything the
///   sequence of batches depends on besides the state — the parameters that
///   shape it and a digest of the data (file_digest.hpp). A checkpoint
///   records it and is refused by a source whose fingerprint differs; a node
///   whose source has another fingerprint refuses the run. In a list of
///   objects with a "name" (recordings, tables), a difference is reported by
///   that name. Compute it once (when the source is built): it is asked for
///   at every checkpoint;
/// - `static std::uint64_t index_of(const state_type&)`: how many batches
///   come before the state, so a checkpoint whose index disagrees with its
///   state is refused;
/// - `std::size_t output_bytes(const output_type&) const`: the memory an
///   output holds, for config::buffer_bytes (default: sizeof(output_type)).
template <class S>
concept source = requires(const S& s, const typename S::state_type& st,
                          const typename S::batch_type& b) {
  typename S::state_type;
  typename S::batch_type;
  typename S::output_type;
  { S::name } -> std::convertible_to<std::string_view>;
  {
    s.iterate(st)
    } -> std::same_as<std::optional<std::pair<typename S::batch_type, typename S::state_type>>>;
  { s.materialize(b) } -> std::same_as<typename S::output_type>;
}
&&std::copyable<typename S::state_type>&& std::equality_comparable<typename S::state_type>&&
  std::move_constructible<typename S::output_type>&&
    detail::json_convertible<typename S::state_type>;

/// The version a source's states are saved with.
template <source S>
constexpr std::uint32_t state_version_of() {
  if constexpr (requires { S::state_version; })
    return S::state_version;
  else
    return 1;
}

/// One step of the stream: the batch's output and the state after it,
/// which is where the next take() goes on (and a complete checkpoint).
template <class Output, class State>
struct step {
  Output output;
  State state;
  friend bool operator==(const step&, const step&) = default;
};

}  // namespace lockstep

namespace lockstep::detail {

template <class S>
concept has_fingerprint = requires(const S& s) {
  { s.fingerprint() } -> std::convertible_to<std::string>;
};

template <class S>
concept has_index_of = requires(const typename S::state_type& st) {
  { S::index_of(st) } -> std::convertible_to<std::uint64_t>;
};

template <class S>
concept has_output_bytes = requires(const S& s, const typename S::output_type& out) {
  { s.output_bytes(out) } -> std::convertible_to<std::size_t>;
};

/// The memory `out` holds, as the source reckons it.
template <source S>
std::size_t output_bytes_of(const S& src, const typename S::output_type& out) {
  if constexpr (has_output_bytes<S>)
    return src.output_bytes(out);
  else
    return sizeof(out);
}

/// The source's fingerprint, or "" for a source without one.
template <source S>
std::string fingerprint_of(const S& src) {
  if constexpr (has_fingerprint<S>)
    return src.fingerprint();
  else
    return {};
}

}  // namespace lockstep::detail
