// The feeder's logic: which job goes to which worker, and what a worker holds.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "lockstep/detail/box.hpp"

namespace lockstep::detail {

using worker_id = std::uint64_t;
using clock_time = std::chrono::steady_clock::time_point;

/// Set by the first worker that starts a job; a copy of a stolen job that
/// finds it set is skipped, so a job runs once however many workers hold it.
using claim_flag = std::shared_ptr<std::atomic<bool>>;

/// A batch waiting for (or out at) a worker.
struct pending_job {
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  const_box batch;
  const_box state_after;
  std::optional<worker_id> avoid;  ///< the worker whose attempt failed last
};

/// Batches handed to a worker as one job: consecutive waiting batches of a
/// first attempt, or a retry alone. Named by its first seq.
struct assignment {
  worker_id worker = 0;
  std::vector<pending_job> items;
  claim_flag claim;  ///< made anew by every assign()

  std::uint64_t seq() const { return items.front().seq; }
  std::uint32_t attempt() const { return items.front().attempt; }
};

/// A batch out at a worker, for the stuck-batch report.
struct out_batch {
  std::uint64_t seq = 0;
  std::uint32_t attempt = 1;
  worker_id worker = 0;
  clock_time since{};  ///< when its job was handed out
  const_box state_after;
  bool first_report = false;  ///< older_than() returns it for the first time
  std::size_t items = 1;      ///< batches in its job
};

/// Pairs waiting jobs with free workers and remembers what each worker holds.
///
/// Guarantees: the lowest waiting seq that some worker may take goes first,
/// with up to chunk() batches after it that wait for their first attempt (at
/// most the worker's `max_items`); a retry goes alone. A worker holds at
/// most its `slots` jobs; a retry avoids the worker
/// that failed it whenever the pool has another worker; a job stays recorded
/// at its worker until that worker reports it, so a lost worker's jobs can be
/// handed out again. Jobs of an earlier run keep their worker busy until
/// reported, but are never handed out again.
///
/// Stealing: a worker with nothing to do may take a copy of a job queued
/// behind another at a busy worker (one that holds two or more), so a slow
/// job does not hold up the job queued behind it. Both copies share the
/// job's claim flag; each job is stolen at most once, and only by a worker
/// that takes jobs of its size.
class dispatcher {
 public:
  /// `w` may hold up to `slots` jobs at once (at least 1), each of up to
  /// `max_items` batches (at least 1).
  void add_worker(worker_id w, std::size_t slots = 1, std::size_t max_items = 1);

  /// Removes a worker and returns its in-flight jobs of the live run.
  std::vector<pending_job> remove_worker(worker_id w);

  bool has_worker(worker_id w) const { return workers_.count(w) > 0; }

  /// `w` takes no new job, stolen or not, from now on; what it holds stays
  /// recorded until it reports it (jobs queued at it may still be stolen).
  void retire(worker_id w);
  /// Whether `w` is retiring and holds nothing: it may go.
  bool retired_and_idle(worker_id w) const;
  std::size_t workers() const { return workers_.size(); }

  /// Starts a new run: waiting jobs are dropped.
  void new_run(std::uint64_t epoch);

  /// Queues a batch of the live run for the next free worker.
  void enqueue(pending_job j);

  /// Batches per job for workers that take more than one (at least 1).
  void set_chunk(std::size_t n) { chunk_ = std::max<std::size_t>(1, n); }
  std::size_t chunk() const { return chunk_; }

  /// The next job and its worker, recorded as in flight; nullopt when no
  /// waiting batch has a free worker.
  std::optional<assignment> assign(clock_time now = {});

  /// For `thief`, which holds nothing while nothing waits: a copy of the
  /// last job queued at the busiest worker that holds two or more, recorded
  /// as in flight at the thief too; nullopt when there is none.
  std::optional<assignment> steal(worker_id thief, clock_time now = {});

  /// The live run's batches of jobs that workers work on (the first each
  /// holds; the jobs queued behind wait) and that went out before `cutoff`,
  /// oldest first; each batch once (a stolen job is out twice).
  std::vector<out_batch> older_than(clock_time cutoff);
  /// Of the jobs workers work on, the live run's batch out the longest.
  std::optional<out_batch> oldest() const;

  /// When the job `w` works on now went out; nullopt when it holds none.
  std::optional<clock_time> busy_since(worker_id w) const;

  /// Hedging. The head: the job a worker works on that holds the lowest seq
  /// of the live run out or waiting, when no job of it was hedged yet.
  std::optional<out_batch> head() const;
  /// A worker that holds nothing, is not retiring and takes jobs of `items`
  /// batches.
  std::optional<worker_id> idle_worker(std::size_t items) const;
  /// A second attempt of the head job (`seq`, at its worker) for `to`, with a
  /// claim of its own, recorded as a hedge at `to`: a lost hedge worker's
  /// jobs are not handed out again (the first copy still runs).
  std::optional<assignment> hedge(std::uint64_t seq, worker_id to, clock_time now);
  /// Whether worker `w`'s job `seq` is a hedge (for the feeder, before finish).
  bool is_hedge(worker_id w, std::uint64_t seq) const;

  /// Worker `w` reported job `seq` of run `epoch`. Returns the job's batches
  /// when it was in flight for the live run (so the caller can retry them).
  std::optional<std::vector<pending_job>> finish(worker_id w, std::uint64_t epoch,
                                                 std::uint64_t seq);

  std::size_t waiting() const { return waiting_.size(); }
  std::size_t in_flight() const;  ///< batches of the live run out at workers
  std::uint64_t epoch() const { return epoch_; }

 private:
  struct out_job {
    std::uint64_t epoch;
    std::vector<pending_job> items;
    claim_flag claim;
    bool stolen = false;  ///< a copy went to another worker
    clock_time since{};
    bool reported = false;  ///< older_than() has returned it
    bool hedged = false;    ///< a second attempt went to another worker
    bool hedge = false;     ///< this is that second attempt

    std::uint64_t seq() const { return items.front().seq; }
  };
  struct worker_slot {
    std::size_t slots = 1;
    std::size_t max_items = 1;
    bool retiring = false;
    std::vector<out_job> out;
  };

  std::optional<worker_id> pick(const pending_job& j) const;
  std::size_t load_of(const worker_slot& slot) const;

  std::uint64_t epoch_ = 0;
  std::map<worker_id, worker_slot> workers_;
  std::deque<pending_job> waiting_;  // by seq
  worker_id last_assigned_ = 0;
  std::size_t chunk_ = 1;
};

}  // namespace lockstep::detail
