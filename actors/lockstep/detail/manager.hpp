// The manager actor: owns the feeder, the collector and the worker pool.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/event_log.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/node_links.hpp"
#include "lockstep/detail/run_channel.hpp"
#include "lockstep/messages/node_address.hpp"
#include "lockstep/messages/retry_policy.hpp"

namespace lockstep::detail {

struct manager_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<run_channel> channel;
  /// Local workers; with 0 and no nodes, one stand-in worker materializes
  /// without counting in the window (buffer + 0).
  std::size_t local_workers = 1;
  retry_policy retry;
  std::size_t local_prefetch = 2;  ///< jobs a local worker may hold
  /// config::rampup: one local worker at first, the others evenly over it.
  std::chrono::milliseconds rampup{0};
  std::optional<std::chrono::milliseconds> stuck_after{};  ///< config::stuck_after
  bool hedge = true;                                       ///< config::hedge
  std::size_t max_hedges = 1;
  std::optional<std::chrono::milliseconds> hedge_after{};
  /// Run local workers on threads of their own. Off only under CAF's test
  /// coordinator, which must run every actor itself.
  bool detach = true;

  // Remote nodes (requires CAF's middleman in the actor system).
  std::vector<node_address> nodes;
  std::string token;
  std::size_t remote_prefetch = 2;  ///< jobs a remote worker may hold
  /// Shared memory offered to each node for its outputs (shm_ring.hpp); 0: none.
  std::size_t shm_bytes = 0;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_interval{1000};
  std::chrono::milliseconds no_worker_timeout{30000};

  /// Where the manager reports node events (joined, lost, refused).
  event_log log;
};

struct manager_state {
  manager_config cfg;
  msg::feeder_actor feeder;
  msg::collector_actor collector;

  struct member {
    caf::actor actor;
    std::optional<std::size_t> node;  ///< none: a local worker
    bool counted = true;              ///< false: the zero-worker stand-in
    bool retiring = false;            ///< leaves once it has reported its jobs
  };
  std::map<caf::actor_addr, member> workers;
  node_links links{{}};
  std::vector<caf::typed_response_promise<msg::node_report>> awaiting_nodes;
  std::uint64_t pool_generation = 0;  ///< bumped whenever the pool changes
  std::size_t ramp_target = 0;        ///< local workers a rampup grows to
  std::uint64_t ramp_generation = 0;  ///< bumped when a ramp ends early

  static inline const char* name = "lockstep.manager";
};

/// Spawns the collector, the feeder and the local workers, connects to every
/// listed node and asks it for workers (msg::node_hello), puts a remote proxy
/// in front of each, and monitors every worker. A worker whose death was its
/// job's doing (an exception that is not a std::exception) has its jobs
/// handed out again as a failed attempt; any other loss — a node killed,
/// frozen, cut off or stopped — hands them out without counting. A local
/// worker is replaced; a lost node is reconnected every reconnect_interval,
/// as is a listed node not reached yet; a node that refuses is not tried
/// again (node_links). While a run has no worker at all for
/// no_worker_timeout, it fails with errc::no_workers. The run_channel's
/// window follows the pool. msg::set_workers_cmd grows the local pool at
/// once and shrinks it by retiring workers: each takes no new job, reports
/// what it holds, and ends (the feeder ends it), so nothing is lost or
/// redone. With a rampup, the local pool starts at one worker and grows to
/// local_workers in even steps. On exit it takes its actors down with it.
msg::manager_actor::behavior_type manager(msg::manager_actor::stateful_pointer<manager_state> self,
                                          manager_config cfg);

/// Whether a worker's exit `reason` was caused by the job it ran.
bool death_counts_as_attempt(const caf::error& reason);

}  // namespace lockstep::detail
