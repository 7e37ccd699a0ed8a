// The worker a node runs for a remote manager: bytes in, bytes out.
#pragma once

#include <atomic>
#include <memory>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>

#include "lockstep/actors/erased_source.hpp"

namespace lockstep {

struct remote_worker_config {
  std::shared_ptr<const erased_source> source;
  caf::actor feeder;  ///< the manager's feeder, where every answer goes
  std::shared_ptr<std::atomic<std::uint64_t>> served;  ///< jobs answered, for the node's log
};

/// Handles msg::wire_job: decodes the batch, materializes it, and answers the
/// feeder with msg::wire_result holding the output (or the error of a
/// std::exception); CAF serializes it straight into its send buffer through
/// the source's output_codec, registered by the node. Anything else that escapes kills the actor, which the
/// manager's monitor sees.
caf::behavior remote_worker(caf::event_based_actor* self, remote_worker_config cfg);

}  // namespace lockstep
