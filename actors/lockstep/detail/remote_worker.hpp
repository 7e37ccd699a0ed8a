// The worker a node runs for a remote run: bytes in, a typed output out.
#pragma once

#include <atomic>
#include <memory>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/messages.hpp"

namespace lockstep::detail {

struct remote_worker_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<std::atomic<std::uint64_t>> served;  ///< jobs answered, for the node's log
};

/// Handles msg::wire_job: decodes the batch, materializes it, and answers
/// the sender (the run's remote proxy) with msg::wire_result holding the
/// output or the error; CAF serializes the output straight into its send
/// buffer through the output type's codec. Anything that is not a
/// std::exception escapes and kills the actor, which the proxy sees.
msg::remote_worker_actor::behavior_type remote_worker(msg::remote_worker_actor::pointer self,
                                                      remote_worker_config cfg);

}  // namespace lockstep::detail
