// The handoff between the collector (an actor) and the client's thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "lockstep/actors/delivery.hpp"
#include "lockstep/messages/status.hpp"

namespace lockstep {

/// Counters a batcher reports; cumulative over its lifetime.
struct run_stats {
  std::uint64_t delivered = 0;  ///< batches handed to the client
  std::uint64_t retries = 0;    ///< failed attempts that were retried
  std::uint64_t restarts = 0;   ///< runs started (by start or a mismatched take)
  std::uint64_t workers_lost = 0;
};

/// Holds the deliveries of the live run in order, the credit window, the
/// status and the stats. Thread-safe; no call blocks except pop().
///
/// Credit: `outstanding` counts batches issued by the feeder and not yet taken
/// by the client; the feeder issues only while it is below the window, so the
/// batches materialized or in flight never exceed the window
/// (buffer + workers). When the feeder finds no credit it is marked waiting,
/// and the pop that frees credit tells its caller to wake the feeder.
///
/// Epochs: open() starts a new live run and forgets everything older; close()
/// leaves no run live. Pushes and credit requests for any epoch but the live
/// one are ignored.
class client_queue {
 public:
  /// Client: start a new live run; returns its epoch, which is larger than
  /// every earlier one. The window stays what the manager last set.
  std::uint64_t open();

  /// Client: end the live run with status `s` (closed after stop, failed
  /// after a failure); wakes a waiting pop, which then returns nullopt.
  void close(run_status s, std::string error = {});

  /// Client: the next delivery of `epoch`, waiting for it; nullopt when the run
  /// was closed or replaced. Sets `wake_feeder` when the feeder waits for the
  /// credit this pop freed.
  std::optional<delivery> pop(std::uint64_t epoch, bool& wake_feeder);

  /// Like pop, but returns nullopt at once when nothing is ready (tests).
  std::optional<delivery> try_pop(std::uint64_t epoch, bool& wake_feeder);

  /// Client: close the run as `closed` unless there is none (never started,
  /// or already closed). Returns whether it closed one.
  bool stop();

  /// Client: wake the feeder after a pop said so. The manager installs the
  /// waker, which keeps this class free of actor types.
  void wake_feeder(std::uint64_t epoch) const;
  void set_feeder_waker(std::function<void(std::uint64_t)> f);

  /// Client: record the outcome of a pop (done or failed).
  void set_status(run_status s, std::string error = {});

  status_report status() const;
  run_stats stats() const;
  void count_restart();

  /// Feeder: take one credit for `epoch`. False when the window is full (the
  /// feeder is then marked waiting) or the epoch is not live.
  bool try_acquire(std::uint64_t epoch);

  /// Feeder: a failed attempt will be retried.
  void count_retry();
  void count_worker_lost();

  /// Collector: append a delivery of `epoch` (dropped unless live).
  void push(std::uint64_t epoch, delivery d);

  /// Manager: the pool has `workers` workers; the window becomes
  /// buffer + workers. Returns true when the feeder waits and now has credit.
  bool set_pool(std::size_t workers, std::size_t buffer);
  std::size_t pool_size() const;

  /// Workers: the live epoch, read without locking, to skip stale jobs.
  std::uint64_t live_epoch() const { return live_epoch_.load(std::memory_order_acquire); }

  /// The number of deliveries waiting for the client (tests, stats).
  std::size_t ready() const;

 private:
  delivery take_front(bool& wake_feeder);  // mtx_ held, ready_ not empty

  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<delivery> ready_;
  std::atomic<std::uint64_t> live_epoch_{0};
  bool open_ = false;
  std::size_t window_ = 1;
  std::size_t pool_ = 0;
  std::size_t outstanding_ = 0;
  bool feeder_waiting_ = false;
  status_report status_;
  run_stats stats_;
  std::function<void(std::uint64_t)> waker_;
};

}  // namespace lockstep
