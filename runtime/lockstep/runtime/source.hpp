// What a source must provide to be run by a batcher.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace lockstep {

/// A source turns states into batches, cheaply, and batches into outputs,
/// expensively:
///
///     struct my_source {
///       using state_type = ...;   // copyable, ==, JSON via Boost.JSON
///       using batch_type = ...;   // what iterate hands to materialize
///       using output_type = ...;  // what the client receives
///       static constexpr std::string_view name = "my_source";
///       std::optional<std::pair<batch_type, state_type>> iterate(const state_type&) const;
///       output_type materialize(const batch_type&) const;
///     };
///
/// iterate must be pure (nullopt ends a finite source); materialize must be
/// deterministic and may throw std::exception (the batch is retried); both are
/// called from several threads at once. The state converts to and from
/// boost::json::value (tag_invoke value_from / value_to) for checkpoints.
/// Optional: `static constexpr std::uint32_t state_version`, bumped when the
/// state's JSON changes (default 1), and a CAF inspect() overload for
/// output_type, needed for digests and remote workers.
template <class S>
concept source = requires(const S& s, const typename S::state_type& st,
                          const typename S::batch_type& b) {
  typename S::state_type;
  typename S::batch_type;
  typename S::output_type;
  { S::name } -> std::convertible_to<std::string_view>;
  { s.iterate(st) } -> std::same_as<std::optional<
                         std::pair<typename S::batch_type, typename S::state_type>>>;
  { s.materialize(b) } -> std::same_as<typename S::output_type>;
} && std::copyable<typename S::state_type>
  && std::equality_comparable<typename S::state_type>
  && std::move_constructible<typename S::output_type>;

/// The version a source's states are saved with.
template <source S>
constexpr std::uint32_t state_version_of() {
  if constexpr (requires { S::state_version; })
    return S::state_version;
  else
    return 1;
}

}  // namespace lockstep
