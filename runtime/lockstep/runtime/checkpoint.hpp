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
  /// How the source differs from the one that saved the state, when
  /// resume_options::accept_changes let it through; empty: it does not.
  std::string changed;
};

/// How strictly a checkpoint must match the source it resumes.
struct resume_options {
  /// Resume even when the source's fingerprint (its parameters or data)
  /// differs from the checkpoint's: the change is intended. The batches that
  /// follow are then not those the saved run would have delivered.
  bool accept_changes = false;
};

namespace detail {

/// What a checkpoint names: its source, the version of its state's JSON and
/// the source's fingerprint ("" when the source has none).
struct checkpoint_owner {
  std::string_view source;
  std::uint32_t version = 1;
  std::string fingerprint;
};

template <source S>
checkpoint_owner owner_of(const S& src) {
  return {S::name, state_version_of<S>(), fingerprint_of(src)};
}

/// The index a state says it stands at; nullopt when its source cannot tell.
template <source S>
std::optional<std::uint64_t> index_in(const typename S::state_type& state) {
  if constexpr (has_index_of<S>)
    return S::index_of(state);
  else
    return std::nullopt;
}

std::string checkpoint_text(const checkpoint_owner& owner, std::uint64_t index,
                            to_json_fn to_json, const void* state);
struct parsed_checkpoint {
  std::uint64_t index = 0;
  std::string changed;
};
parsed_checkpoint parse_checkpoint(std::string_view text, std::string_view origin,
                                   const checkpoint_owner& owner, resume_options options,
                                   from_json_fn from_json, void* state);
/// Throws lockstep::error(invalid_state) naming `origin` when `index`
/// disagrees with the state's own index.
void check_index(std::string_view origin, std::uint64_t index, std::optional<std::uint64_t> own);
void write_file_atomically(const std::string& file, std::string_view text);
std::string read_state_file(const std::string& file);

}  // namespace detail

/// A checkpoint of `src` as one line of JSON:
///
///     {"format":"lockstep-state","version":2,"source":"synthetic",
///      "source_version":1,"fingerprint":{...},"index":100,"state":{...}}
///
/// "fingerprint" is the source's (source.hpp), absent when it has none.
template <source S>
std::string checkpoint_text(const S& src, const typename S::state_type& state,
                            std::uint64_t index = 0) {
  return detail::checkpoint_text(detail::owner_of(src), index,
                                 &detail::erased_to_json<typename S::state_type>, &state);
}

/// Writes checkpoint_text(src, state, index) to `file`, whole or not at all:
/// into a new temporary file beside it, fsynced, then renamed over it. Throws
/// lockstep::error(io_error) naming the file.
template <source S>
void save_checkpoint(const std::string& file, const S& src, const typename S::state_type& state,
                     std::uint64_t index = 0) {
  detail::write_file_atomically(file, checkpoint_text(src, state, index) + "\n");
}

/// The state and index a checkpoint text holds, checked to belong to `src`:
/// its source name, the version of its state's JSON, its fingerprint (unless
/// options.accept_changes) and, where the source can tell, its index. Throws
/// lockstep::error naming `origin`: invalid_state (not JSON, not a
/// checkpoint, a malformed state, an index the state disagrees with),
/// source_mismatch (another source, or another fingerprint: the message
/// names the parameter or the recording that differs), version_mismatch.
template <source S>
resumed<typename S::state_type> parse_checkpoint(const S& src, std::string_view text,
                                                 std::string_view origin,
                                                 resume_options options = {}) {
  std::optional<typename S::state_type> state;
  auto parsed = detail::parse_checkpoint(text, origin, detail::owner_of(src), options,
                                         &detail::erased_from_json<typename S::state_type>,
                                         &state);
  detail::check_index(origin, parsed.index, detail::index_in<S>(*state));
  return {std::move(*state), parsed.index, std::move(parsed.changed)};
}

/// parse_checkpoint of a file (a regular file of at most 16 MB); the errors
/// name the file.
template <source S>
resumed<typename S::state_type> load_checkpoint(const std::string& file, const S& src,
                                                resume_options options = {}) {
  return parse_checkpoint(src, detail::read_state_file(file), file, options);
}

}  // namespace lockstep
