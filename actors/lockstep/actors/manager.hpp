// The manager actor: owns the feeder, the collector and the worker pool.
#pragma once

#include <chrono>
#include <map>
#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "lockstep/actors/client_queue.hpp"
#include "lockstep/actors/erased_source.hpp"
#include "lockstep/actors/retry_schedule.hpp"

namespace lockstep {

struct manager_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<client_queue> queue;
  std::size_t local_workers = 1;
  std::size_t buffer = 3;
  retry_policy retry;
  std::size_t slots_per_worker = 1;
  /// Run workers (and the zero-worker feeder) on threads of their own. Off
  /// only under CAF's test coordinator, which must run every actor itself.
  bool detach = true;
};

struct manager_state {
  manager_config cfg;
  caf::actor feeder;
  caf::actor collector;
  std::map<caf::actor_addr, caf::actor> workers;

  static inline const char* name = "lockstep.manager";
};

/// Spawns the collector, the feeder and `local_workers` workers, monitors
/// every worker, and keeps the pool whole: a worker that dies has its jobs
/// handed out again (the job counts as a failed attempt, since it may be what
/// killed the worker) and is replaced. It starts runs (msg::start_cmd) and
/// halts them (msg::stop_cmd), and keeps the credit window at
/// buffer + pool size. On exit it takes its actors down with it.
caf::behavior manager(caf::stateful_actor<manager_state>* self, manager_config cfg);

}  // namespace lockstep
