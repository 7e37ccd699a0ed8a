// Saving and restoring states: one call each. API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lockstep/detail/state_json.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep {

/// A state read back, with `index`: the batches delivered before it, so a
/// resumed run numbers its batches where the saved one stopped.
template <class State>
struct resumed {
  State state;
  std::uint64_t index = 0;
};

namespace detail {

/// What a checkpoint names: its source and the version of its state's JSON.
struct checkpoint_owner {
  std::string_view source;
  std::uint32_t version = 1;
};

template <source S>
constexpr checkpoint_owner owner_of() {
  return {S::name, state_version_of<S>()};
}

std::string checkpoint_text(checkpoint_owner owner, std::uint64_t index, to_json_fn to_json,
                            const void* state);
std::uint64_t parse_checkpoint(std::string_view text, std::string_view origin,
                               checkpoint_owner owner, from_json_fn from_json, void* state);
void write_file_atomically(const std::string& file, std::string_view text);
std::string read_state_file(const std::string& file);

}  // namespace detail

/// A checkpoint as one line of JSON:
///
///     {"format":"lockstep-state","version":1,"source":"synthetic",
///      "source_version":1,"index":100,"state":{...}}
template <source S>
std::string checkpoint_text(const typename S::state_type& state, std::uint64_t index = 0) {
  return detail::checkpoint_text(detail::owner_of<S>(), index,
                                 &detail::erased_to_json<typename S::state_type>, &state);
}

/// Writes checkpoint_text(state, index) to `file`, whole or not at all: into
/// a new temporary file beside it, fsynced, then renamed over it. Throws
/// lockstep::error(io_error) naming the file.
template <source S>
void save_checkpoint(const std::string& file, const typename S::state_type& state,
                     std::uint64_t index = 0) {
  detail::write_file_atomically(file, checkpoint_text<S>(state, index) + "\n");
}

/// The state and index a checkpoint text holds, checked to belong to source
/// S at the version this build reads. Throws lockstep::error naming `origin`:
/// invalid_state (not JSON, not a checkpoint, a malformed state),
/// source_mismatch, version_mismatch.
template <source S>
resumed<typename S::state_type> parse_checkpoint(std::string_view text, std::string_view origin) {
  std::optional<typename S::state_type> state;
  auto index = detail::parse_checkpoint(text, origin, detail::owner_of<S>(),
                                        &detail::erased_from_json<typename S::state_type>, &state);
  return {std::move(*state), index};
}

/// parse_checkpoint of a file (a regular file of at most 16 MB); the errors
/// name the file.
template <source S>
resumed<typename S::state_type> load_checkpoint(const std::string& file) {
  return parse_checkpoint<S>(detail::read_state_file(file), file);
}

}  // namespace lockstep
