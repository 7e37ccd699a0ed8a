// The worker actor: materializes jobs and reports each one.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>

#include "lockstep/actors/client_queue.hpp"
#include "lockstep/actors/erased_source.hpp"

namespace lockstep {

struct worker_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<client_queue> queue;  ///< only to skip jobs of dead runs
  caf::actor feeder;
  caf::actor collector;
};

/// Handles msg::job: materializes the batch, sends msg::result to the
/// collector and then msg::worker_ready to the feeder, so the worker is free
/// as soon as it finishes (the result waits in the collector, not here).
/// A std::exception from materialize is reported as a failed attempt; any
/// other exception escapes and kills the actor, which the manager notices.
/// Jobs of a run that is no longer live, and jobs whose claim another worker
/// took first (a stolen copy), are skipped, not materialized.
caf::behavior worker(caf::event_based_actor* self, worker_config cfg);

}  // namespace lockstep
