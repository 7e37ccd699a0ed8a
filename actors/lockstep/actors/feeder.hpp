// The feeder actor: iterates the source and hands jobs to workers.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "lockstep/actors/client_queue.hpp"
#include "lockstep/actors/dispatcher.hpp"
#include "lockstep/actors/erased_source.hpp"
#include "lockstep/actors/retry_schedule.hpp"

namespace lockstep {

struct feeder_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<client_queue> queue;
  caf::actor collector;
  retry_policy retry;
  /// No workers: the feeder materializes each batch itself.
  bool materialize_inline = false;
};

struct feeder_state {
  feeder_config cfg;
  dispatcher jobs;
  std::uint64_t epoch = 0;  ///< the live run; 0 = none
  box next_state;           ///< where iteration goes on
  std::uint64_t next_seq = 0;
  bool source_ended = false;
  std::map<std::uint64_t, pending_job> backing_off;  ///< retries waiting out their delay
  struct worker_handle {
    caf::actor actor;
    bool remote = false;  ///< takes wire_jobs, answers with wire_results
  };
  std::unordered_map<caf::actor_addr, worker_id> ids;
  std::map<worker_id, worker_handle> workers;
  worker_id next_worker_id = 1;
  bool inline_pending = false;  ///< a materialize_next is on its way
  std::minstd_rand jitter{std::random_device{}()};

  static inline const char* name = "lockstep.feeder";
};

/// Iterates the source from the run's start state, lazily: one batch per
/// credit, never before msg::begin_run. Each batch becomes a job
/// {epoch, seq, batch, state_after} handed to a free worker (a dispatcher
/// decides which). A remote worker gets the batch as bytes (msg::wire_job)
/// and answers with the output (msg::wire_result), which the feeder forwards
/// to the collector with the job's state_after. On a failed attempt it waits out the retry_policy's backoff
/// and retries on another worker; after the last retry it reports
/// msg::batch_failed to the collector. Jobs of a lost worker are handed out
/// again. At the end of a finite source it sends msg::run_end.
caf::behavior feeder(caf::stateful_actor<feeder_state>* self, feeder_config cfg);

}  // namespace lockstep
