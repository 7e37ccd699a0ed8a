// The worker actor: materializes jobs in this process and reports each one.
#pragma once

#include <memory>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/run_channel.hpp"

namespace lockstep::detail {

struct worker_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<const run_channel> channel;  ///< only to skip jobs of dead runs
  msg::feeder_actor feeder;
  msg::collector_actor collector;
};

/// Handles msg::job: materializes the batch, sends msg::result to the
/// collector and then msg::worker_ready to the feeder, so the worker is free
/// as soon as it finishes (the result waits in the collector, not here).
/// A std::exception from materialize is a failed attempt (permanent for
/// lockstep::permanent_error); anything else escapes and kills the actor,
/// which the manager notices. Jobs of a run that is no longer live, and jobs
/// whose claim another worker took first (a stolen copy), are skipped.
msg::worker_actor::behavior_type worker(msg::worker_actor::pointer self, worker_config cfg);

/// Whether a worker should skip job `j` rather than run it; claims it if not.
bool skip_job(const run_channel& channel, const msg::job& j);

}  // namespace lockstep::detail
