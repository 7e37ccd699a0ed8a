// Saving and restoring states: a JSON envelope that names its source.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep {

/// A saved state. On disk:
///
///     {"format": "lockstep-state", "version": 1, "source": "synthetic",
///      "source_version": 1, "index": 100, "state": {...}}
///
/// `index` counts the batches delivered before this state, so that a resumed
/// run numbers its batches where the saved one stopped.
struct checkpoint {
  static constexpr std::string_view format = "lockstep-state";
  static constexpr std::uint32_t version = 1;

  std::string source;
  std::uint32_t source_version = 1;
  std::uint64_t index = 0;
  boost::json::value state;
};

boost::json::value to_json(const checkpoint& c);

/// Throws lockstep::error naming `origin` (a file name, say) and the problem:
/// invalid_state for malformed input, version_mismatch for another format
/// version.
checkpoint checkpoint_from_json(const boost::json::value& v, std::string_view origin);
checkpoint parse_checkpoint(std::string_view text, std::string_view origin);
checkpoint read_checkpoint(const std::filesystem::path& file);

/// Writes to a temporary file beside `file` and renames it, so a reader never
/// sees a partial checkpoint. Throws lockstep::error(io_error).
void write_checkpoint(const std::filesystem::path& file, const checkpoint& c);

template <source S>
checkpoint make_checkpoint(const typename S::state_type& state, std::uint64_t index = 0) {
  return {std::string{S::name}, state_version_of<S>(), index, boost::json::value_from(state)};
}

/// The typed state of `c`, after checking it belongs to source S at the
/// version this build reads. Throws lockstep::error naming `origin`.
template <source S>
typename S::state_type restore_state(const checkpoint& c, std::string_view origin) {
  if (c.source != S::name)
    throw error(errc::source_mismatch, std::string{origin} + ": a state of source \"" + c.source
                                         + "\", not \"" + std::string{S::name} + "\"");
  if (c.source_version != state_version_of<S>())
    throw error(errc::version_mismatch,
                std::string{origin} + ": a \"" + c.source + "\" state of version "
                  + std::to_string(c.source_version) + "; this build reads version "
                  + std::to_string(state_version_of<S>()));
  try {
    return boost::json::value_to<typename S::state_type>(c.state);
  } catch (const error& e) {
    throw error(e.code(), std::string{origin} + ": " + e.what());
  } catch (const std::exception& e) {
    throw error(errc::invalid_state, std::string{origin} + ": state: " + e.what());
  }
}

}  // namespace lockstep
