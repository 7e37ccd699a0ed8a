// The manager actor: owns the feeder, the collector and the worker pool.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "lockstep/actors/client_queue.hpp"
#include "lockstep/actors/erased_source.hpp"
#include "lockstep/actors/event_log.hpp"
#include "lockstep/actors/node_address.hpp"
#include "lockstep/actors/retry_schedule.hpp"
#include "lockstep/messages/errc.hpp"

namespace lockstep {

struct manager_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<client_queue> queue;
  std::size_t local_workers = 1;
  /// Batches held ahead of the client; none: 2 × pool size + 1, following
  /// the pool as workers join and leave.
  std::optional<std::size_t> buffer;
  retry_policy retry;
  std::size_t local_prefetch = 2;  ///< jobs a local worker may hold
  /// Run workers (and the zero-worker feeder) on threads of their own. Off
  /// only under CAF's test coordinator, which must run every actor itself.
  bool detach = true;

  // Remote nodes (requires CAF's middleman in the actor system).
  std::vector<node_address> nodes;
  std::string token;
  std::size_t remote_prefetch = 2;  ///< jobs a remote worker may hold
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_interval{1000};
  std::chrono::milliseconds no_worker_timeout{30000};

  /// Where the manager reports node events (joined, lost, refused).
  event_log log;
};

struct manager_state {
  manager_config cfg;
  caf::actor feeder;
  caf::actor collector;

  struct member {
    caf::actor actor;
    std::optional<std::size_t> node;  ///< none: a local worker
  };
  std::map<caf::actor_addr, member> workers;

  struct node_link {
    enum class phase { connecting, connected, waiting, refused } state = phase::connecting;
    bool tried = false;  ///< the first attempt has ended
    errc code = errc::node_unreachable;
    std::string last_error;
    std::size_t workers = 0;
  };
  std::vector<node_link> nodes;
  std::vector<caf::response_promise> awaiting_nodes;

  std::uint64_t run_epoch = 0;  ///< the run under way; 0 = none
  std::uint64_t pool_generation = 0;  ///< bumped whenever the pool changes

  static inline const char* name = "lockstep.manager";
};

/// Spawns the collector, the feeder and `local_workers` workers, connects to
/// every listed node and asks it for workers (msg::node_hello), and monitors
/// every worker. A local worker that dies is replaced and its jobs are handed
/// out again, counted as a failed attempt since the job may be what killed it.
/// A node that is lost (killed, frozen, cut off: CAF reports its workers down)
/// has its jobs handed out again without counting, and is reconnected every
/// reconnect_interval, as is a listed node that could not be reached yet; a
/// node that refuses (version, token, source) is not tried again. While a run
/// has no worker at all for no_worker_timeout, it fails with errc::no_workers.
/// The credit window stays at buffer + pool size. On exit it takes its
/// actors down with it.
caf::behavior manager(caf::stateful_actor<manager_state>* self, manager_config cfg);

}  // namespace lockstep
