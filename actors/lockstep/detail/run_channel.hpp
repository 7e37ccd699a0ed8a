// The run: its epoch, its credit window, its status, and the deliveries on
// their way from the collector to the client's thread. One owner for all.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/detail/delivery.hpp"
#include "lockstep/messages/status.hpp"

namespace lockstep::detail {

/// The default batches held ahead of the client for a pool of `workers`.
constexpr std::size_t default_buffer(std::size_t workers) {
  return 2 * workers + 1;
}

/// What a batch in flight costs besides its output: the boxes of its batch
/// and state, the messages and queues that carry it.
constexpr std::size_t bookkeeping_bytes = 256;

/// The most batches a byte budget lets the window hold.
constexpr std::size_t max_window = std::size_t{1} << 20;

/// run_stats::rate: its time constant, and the least time between samples.
constexpr std::chrono::milliseconds stats_rate_tau{3000};
constexpr std::chrono::milliseconds stats_rate_sample{100};

/// A recent rate of change of a count: an EWMA over stats_rate_tau of
/// samples taken at least stats_rate_sample apart, bias-corrected so the
/// first sample counts in full (no slow rise from zero).
class recent_rate {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  void start(time_point now, double count) {
    at_ = now;
    last_ = count;
  }
  bool started() const { return at_ != time_point{}; }
  /// Samples (count - last) / dt, clamped to [0, most], when dt is long enough.
  void sample(time_point now, double count, double most);
  bool sampled() const { return weight_ > 0; }
  double value() const { return weight_ > 0 ? sum_ / weight_ : 0; }

 private:
  time_point at_{};
  double last_ = 0;
  double sum_ = 0, weight_ = 0;
};

/// Thread-safe; only pop() blocks.
///
/// Epochs: open() starts a new run whose epoch is larger than every earlier
/// one; close() leaves no run live. Anything of another epoch than the live
/// one — a delivery, a credit request — is ignored, and live(e) tells
/// workers to skip the queued jobs of a dead run.
///
/// Credit: `outstanding` counts batches the feeder has issued and the client
/// has not taken. The feeder issues only while it is below the window
/// (buffer + workers, or what the byte budget fits), so what is materialized
/// or in flight never exceeds the window. A feeder refused credit is marked
/// waiting, with the credit it needs to go on (a chunk's worth); the pop (or
/// the larger pool) that frees that much wakes it through the waker, once.
///
/// Byte budget: with `buffer_bytes`, the window holds as many batches as
/// fit, each reckoned at the largest output seen (note_output_bytes) plus
/// bookkeeping_bytes, at least pool + 1 and at most buffer + pool where a
/// buffer is set (max_window otherwise).
class run_channel {
 public:
  /// `buffer`: batches held ahead of the client; none: default_buffer(pool),
  /// following the pool as workers join and leave.
  /// `buffer_bytes`: config::buffer_bytes.
  /// `in_order` false: a job run, whose deliveries come in the order they
  /// finish. Credit is then freed by the watermark — the lowest seq not yet
  /// taken — moving up, not by each take: however long one batch takes,
  /// no batch more than the window beyond it is issued.
  explicit run_channel(std::optional<std::size_t> buffer = std::nullopt,
                       std::optional<std::size_t> buffer_bytes = std::nullopt,
                       bool in_order = true);

  bool in_order() const { return in_order_; }

  // -- the client ---------------------------------------------------------

  /// Starts a new live run and returns its epoch.
  std::uint64_t open();

  /// Ends the live run with status `s` (closed after stop, failed after a
  /// failure); a waiting pop returns nullopt.
  void close(run_status s, std::string error = {});

  /// Closes the live run as `closed`; false when there is none (never
  /// started, or already closed).
  bool stop();

  /// The next delivery of `epoch`, waiting for it; nullopt when the run was
  /// closed or replaced. Taking a batch frees its credit.
  std::optional<delivery> pop(std::uint64_t epoch);

  /// Like pop, but nullopt at once when nothing is ready.
  std::optional<delivery> try_pop(std::uint64_t epoch);

  /// Records that the client took the end of the source.
  void mark_done();

  /// Pause: the feeder hands out no job while paused (what workers already
  /// hold finishes into the buffer, and pop still delivers it); resume()
  /// wakes it. A pause outlives restarts: open() leaves it as it is.
  void pause();
  void resume();
  bool paused() const { return paused_.load(std::memory_order_acquire); }

  /// The client took a batch whose output holds `bytes` (for stats).
  void note_delivered_bytes(std::uint64_t bytes) {
    delivered_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }

  status_report status() const;
  /// Counters, the live run's window, and the recent delivery rate: an
  /// EWMA (time constant stats_rate_tau) over the calls to stats() at least
  /// stats_rate_sample apart, so the take path pays nothing for it.
  run_stats stats() const;

  // -- the actors ---------------------------------------------------------

  /// The manager installs how to wake the feeder (an actor send); the
  /// channel calls it, without holding its lock, when credit frees up.
  void set_waker(std::function<void(std::uint64_t)> wake);

  /// Feeder: takes up to `want` credits for `epoch` and returns how many.
  /// None when `epoch` is not live, or when fewer than `at_least` (at most
  /// the window) are free: the feeder is then woken once that many are.
  std::size_t acquire(std::uint64_t epoch, std::size_t want, std::size_t at_least = 1);

  /// Feeder: returns credits it took but did not use (the source ended).
  void give_back(std::uint64_t epoch, std::size_t n);

  /// Collector: appends deliveries of `epoch` (dropped unless live), waking
  /// a waiting pop once.
  void push(std::uint64_t epoch, std::vector<delivery>& ds);

  /// Workers: an output of `bytes` was made (lock-free).
  void note_output_bytes(std::size_t bytes) {
    auto seen = largest_output_.load(std::memory_order_relaxed);
    while (bytes > seen && !largest_output_.compare_exchange_weak(seen, bytes))
      ;
  }

  /// Manager: the pool counts `workers` workers now.
  void set_pool(std::size_t workers);

  /// Workers: whether `epoch` is the live run (lock-free).
  bool live(std::uint64_t epoch) const {
    return epoch == live_epoch_.load(std::memory_order_acquire) && epoch % 2 == 1;
  }
  std::uint64_t live_epoch() const { return live_epoch_.load(std::memory_order_acquire); }

  void count_retry();
  void count_worker_lost();
  void count_hedge(bool won);  ///< a hedge started (won false) or won (true)

  /// Feeder: the live run's oldest batch out and its stuck ones (ages
  /// measured from `since`, a steady_clock time, when stats() is read), and
  /// how many were found stuck for the first time.
  struct out_report {
    std::uint64_t index = 0;
    std::string state;
    std::uint64_t worker = 0;
    std::uint32_t attempt = 1;
    std::chrono::steady_clock::time_point since{};
  };
  void report_out(std::uint64_t epoch, std::optional<out_report> oldest,
                  std::vector<out_report> stuck, std::uint64_t newly_stuck);

  /// Feeder: what each worker of the pool did (cumulative), and when the
  /// job it works on now started; stats() turns it into busy fractions.
  struct worker_report {
    std::uint64_t worker = 0;
    std::string node;
    std::uint64_t busy_ns = 0;
    std::uint64_t jobs = 0;
    std::optional<std::chrono::steady_clock::time_point> running_from{};
    std::chrono::steady_clock::time_point joined{};
  };
  void report_workers(std::vector<worker_report> workers);

  std::size_t pool_size() const;
  std::size_t buffer() const;  ///< the buffer part of the window, now
  std::size_t window_now() const;  ///< batches that may be materialized or in flight
  std::size_t ready() const;   ///< deliveries waiting for the client

 private:
  std::size_t window() const;                                // mtx_ held
  bool feeder_may_go();                                      // mtx_ held
  delivery take_front(std::unique_lock<std::mutex>& guard);  // mtx_ held, ready_ not empty
  std::size_t settle(std::uint64_t seq);                     // mtx_ held; credits freed
  void reset_run();                                          // mtx_ held
  void wake(std::uint64_t epoch);

  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<delivery> ready_;
  std::size_t ready_batches_ = 0;  // the batches among ready_
  // Odd while a run is live: open() and close() each add one, so a closed
  // run's epoch is never live again and the next run's is larger.
  std::atomic<std::uint64_t> live_epoch_{0};
  std::optional<std::size_t> buffer_;
  std::optional<std::size_t> buffer_bytes_;
  std::atomic<std::size_t> largest_output_{0};
  std::size_t pool_ = 0;
  std::size_t outstanding_ = 0;
  const bool in_order_;
  // Unordered: the lowest seq not taken, and which seqs above it were.
  std::uint64_t watermark_ = 0;
  std::deque<bool> taken_above_;
  bool feeder_waiting_ = false;
  std::size_t feeder_needs_ = 1;  ///< credits that wake a waiting feeder
  std::atomic<bool> paused_{false};
  std::optional<out_report> oldest_;
  std::vector<out_report> stuck_;
  status_report status_;
  run_stats stats_;
  std::uint64_t run_issued_ = 0;     // credits the live run's feeder used
  std::uint64_t run_delivered_ = 0;  // batches of the live run taken
  std::atomic<std::uint64_t> delivered_bytes_{0};
  mutable recent_rate rate_;  // of stats_.delivered
  // The pool as last reported, by worker, each with its busy EWMA's last
  // sample (sampled by stats(), like the rate).
  struct worker_entry {
    worker_report report;
    recent_rate busy;  // of its busy seconds
  };
  mutable std::vector<worker_entry> workers_;
  std::function<void(std::uint64_t)> waker_;
};

}  // namespace lockstep::detail
