// The feeder actor: iterates the source and hands jobs to workers.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>

#include <caf/stateful_actor.hpp>

#include "lockstep/detail/dispatcher.hpp"
#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/event_log.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/run_channel.hpp"
#include "lockstep/messages/retry_policy.hpp"

namespace lockstep::detail {

struct feeder_config {
  std::shared_ptr<const erased_source> source;
  std::shared_ptr<run_channel> channel;
  msg::collector_actor collector;
  retry_policy retry;
  /// Batches iterated in one message handler at most: a huge credit window
  /// is filled in steps, so workers' results and a halt are handled between
  /// them instead of after the whole window.
  std::size_t issue_limit = 1024;
  /// The materialize time a job aims at: cheap batches travel in chunks of
  /// about this much work, so a message (and the thread wake-ups it costs)
  /// is paid per chunk, not per batch. Batches slower than this go alone.
  std::chrono::nanoseconds chunk_work = std::chrono::microseconds{1000};
  /// A batch out at a worker longer than this is reported stuck (stats, and
  /// one log warning per batch); none: 10 × the median of recent job times,
  /// at least stuck_floor.
  std::optional<std::chrono::nanoseconds> stuck_after{};
  event_log log{};
  /// Straggler hedging: when the head job (the lowest seq not delivered)
  /// has run longer than hedge_after and a worker is idle, a second attempt
  /// of it goes to that worker; the first result wins. At most one hedge per
  /// batch and max_hedges at once. hedge_after none: the 95th percentile of
  /// recent job times, at least hedge_floor.
  bool hedge = true;
  std::size_t max_hedges = 1;
  std::optional<std::chrono::nanoseconds> hedge_after{};
};

/// The least adaptive hedge_after, and the jobs measured before hedging.
constexpr std::chrono::milliseconds hedge_floor{1};
constexpr std::size_t hedge_min_samples = 8;

/// The least adaptive stuck_after, and how many recent jobs its median reads.
constexpr std::chrono::milliseconds stuck_floor{1000};
constexpr std::size_t recent_jobs = 64;

struct feeder_state {
  feeder_config cfg;
  dispatcher jobs;
  std::uint64_t epoch = 0;  ///< the run being fed; 0 = none
  const_box next_state;     ///< where iteration goes on
  std::uint64_t next_seq = 0;
  bool source_ended = false;
  std::map<std::uint64_t, pending_job> backing_off;  ///< retries waiting out their delay
  std::unordered_map<caf::actor_addr, worker_id> ids;
  std::map<worker_id, msg::worker_actor> workers;
  worker_id next_worker_id = 1;
  std::minstd_rand jitter{std::random_device{}()};
  double ns_per_batch = 0;  ///< measured materialize time; 0 = not yet
  std::vector<std::uint64_t> recent_job_ns;  ///< a ring of the last recent_jobs
  std::size_t recent_next = 0;
  bool out_check_armed = false;
  struct hedge_record {
    worker_id first = 0, second = 0;
    bool decided = false;  ///< a result of either attempt was delivered
    bool first_done = false, second_done = false;
  };
  std::map<std::uint64_t, hedge_record> hedges;  ///< by seq, live run only
  std::size_t hedges_out = 0;
  std::optional<std::uint64_t> hedge_timer_seq;  ///< a hedge_due is on its way
  /// What each worker of the pool did, for run_stats::workers.
  struct worker_use {
    std::string node;
    clock_time joined{};
    clock_time last_done{};  ///< its last report: a job queued behind starts then
    std::uint64_t busy_ns = 0;
    std::uint64_t jobs = 0;
  };
  std::map<worker_id, worker_use> use;
  clock_time workers_reported{};  ///< the last report_workers

  static inline const char* name = "lockstep.feeder";
};

/// Iterates the source from the run's start state, lazily: one batch per
/// credit from the run_channel, never before msg::begin_run. Batches go to
/// free workers as jobs {epoch, attempt, items: seq, batch, state_after}
/// (the dispatcher decides which; a job is a chunk of consecutive batches,
/// sized to measured materialize time, or one batch); every worker,
/// wherever it runs, takes msg::job and sends msg::result to the collector,
/// which answers the feeder with msg::worker_ready. A failed batch is retried
/// alone after the retry_policy's backoff on another worker; after the last
/// retry, or at once for a permanent failure, the collector gets
/// msg::batch_failed. The batches of a lost worker are handed out again. At the end of a finite source
/// the collector gets msg::run_end. After msg::halt_run nothing more of that
/// run is handed out. While jobs are out, it reports the oldest batch out
/// and the stuck ones to the run_channel a few times per stuck_after, with
/// what each worker did (and again when the pool changes or goes idle).
msg::feeder_actor::behavior_type feeder(msg::feeder_actor::stateful_pointer<feeder_state> self,
                                        feeder_config cfg);

}  // namespace lockstep::detail
