// Error codes shared by every layer; each lockstep::error carries one. API.
#pragma once

#include <string_view>

namespace lockstep {

enum class errc {
  batch_failed = 1,  ///< materialize failed on every attempt (or permanently)
  no_workers,        ///< the pool stayed empty past the no-worker timeout
  invalid_config,    ///< a config value is out of range or unknown
  invalid_state,     ///< a state or checkpoint could not be read
  source_mismatch,   ///< a checkpoint belongs to another source
  version_mismatch,  ///< a checkpoint or peer speaks another format version
  invalid_dataset,   ///< a dataset file is missing or malformed
  unknown_source,    ///< no source is registered under a name
  node_unreachable,  ///< a remote node could not be reached
  not_authorized,    ///< a node refused the token
  io_error,          ///< a file could not be written, or bytes could not be (de)serialized
  stopped,           ///< the batcher was stopped while take() waited (or a request was pending)
  rejected,          ///< a request batcher's model refused a request (its validate)
  queue_full,        ///< a request batcher's queue stayed full past its policy
  timed_out,         ///< a request waited past its timeout and was dropped before it ran
};

std::string_view to_string(errc e);

}  // namespace lockstep
