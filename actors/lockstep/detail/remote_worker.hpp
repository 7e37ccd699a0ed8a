// The worker a node runs for a remote run: bytes in, a typed output out.
#pragma once

#include <atomic>
#include <memory>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/shm_ring.hpp"

namespace lockstep::detail {

/// What a run's remote workers did, for the node's log.
struct remote_work_counts {
  std::atomic<std::uint64_t> answered{0};
  std::atomic<std::uint64_t> through_shm{0};  ///< outputs written into shared memory
};

struct remote_worker_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<remote_work_counts> counts;
  /// This worker's region of the run's shared memory; null when the run
  /// offered none or is on another host.
  std::shared_ptr<shm_ring> ring{};
};

/// Handles msg::wire_job: decodes the batch, materializes it, and answers
/// the sender (the run's remote proxy) with msg::wire_result holding the
/// output or the error. The output goes into the worker's shared-memory
/// ring when it has one and there is room, and the answer carries only its
/// place; otherwise CAF serializes it straight into its send buffer through
/// the output type's codec. Anything that is not a
/// std::exception escapes and kills the actor, which the proxy sees.
msg::remote_worker_actor::behavior_type remote_worker(msg::remote_worker_actor::pointer self,
                                                      remote_worker_config cfg);

}  // namespace lockstep::detail
