// The worker actor: materializes jobs in this process and reports each one.
#pragma once

#include <memory>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/run_channel.hpp"

namespace lockstep::detail {

struct worker_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<run_channel> channel;  ///< to skip jobs of dead runs, to note output sizes
  msg::collector_actor collector;
};

/// Handles msg::job: materializes its batches in order and sends one
/// msg::result to the collector, which keeps the outputs and tells the
/// feeder that this worker is free (one message a job; the results wait in
/// the collector, not here). A std::exception from materialize fails that
/// batch's attempt (permanent for lockstep::permanent_error) and the worker
/// goes on with the next batch; anything else escapes and kills the actor,
/// which the manager notices. Jobs of a run that is no longer live, and jobs
/// whose claim another worker took first (a stolen copy), are skipped.
msg::worker_actor::behavior_type worker(msg::worker_actor::pointer self, worker_config cfg);

/// Whether a worker should skip job `j` rather than run it; claims it if not.
bool skip_job(const run_channel& channel, const msg::job& j);

/// Materializes `j`'s batches into `r` (outputs and failures, busy_ns),
/// stopping early when the run ends; notes the largest output's size. The
/// states move from `j` to the outputs (one refcount less per batch).
void materialize_items(const erased_source& source, run_channel& channel, msg::job& j,
                       msg::result& r);

}  // namespace lockstep::detail
