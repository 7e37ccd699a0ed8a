// The remote proxy: a worker on a node, seen from the client's process.
#pragma once

#include <map>
#include <memory>
#include <utility>

#include <caf/stateful_actor.hpp>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/run_channel.hpp"
#include "lockstep/detail/shm_ring.hpp"

namespace lockstep::detail {

struct remote_proxy_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<const run_channel> channel;
  msg::collector_actor collector;
  msg::remote_worker_actor remote;  ///< the worker on the node
  /// The remote worker's region of the node's shared memory, when the node
  /// shares this host; null otherwise.
  std::shared_ptr<shm_ring> ring{};
};

struct remote_proxy_state {
  remote_proxy_config cfg;
  /// The states after the jobs out at the node, by (epoch, seq): they stay
  /// here, only the batch travels.
  std::map<std::pair<std::uint64_t, std::uint64_t>, const_box> out;

  static inline const char* name = "lockstep.remote_proxy";
};

/// Speaks the worker protocol like a local worker that takes one batch a
/// job, and the wire protocol to one remote worker: msg::job becomes
/// msg::wire_job (the batch encoded here, on this actor's thread, not the
/// feeder's), msg::wire_result becomes msg::result to the collector. An
/// output in shared memory is read here, on this actor's thread, into the
/// receive pool, and its bytes freed, also when the result is stale.
/// It skips stale and already claimed jobs as a worker does. When the remote
/// worker goes down (its node killed, cut off or stopped), the proxy quits
/// with the same reason, which the manager's monitor sees.
msg::remote_proxy_actor::behavior_type remote_proxy(
  msg::remote_proxy_actor::stateful_pointer<remote_proxy_state> self, remote_proxy_config cfg);

}  // namespace lockstep::detail
