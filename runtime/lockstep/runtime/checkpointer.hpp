// Debounced checkpoints: offer the state every step, written at most once an interval. API.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lockstep/runtime/checkpoint.hpp"

namespace lockstep {

namespace detail {

/// The timing and the writing thread of a checkpointer, whatever its state.
/// `capture` runs under the lock and copies the latest state for `write`,
/// which runs outside it on the writing thread (and on the stopping one).
class debouncer {
 public:
  debouncer(std::chrono::nanoseconds every, std::function<void()> capture,
            std::function<void()> write);
  ~debouncer();
  debouncer(const debouncer&) = delete;
  debouncer& operator=(const debouncer&) = delete;

  /// Runs `store` (which sets the latest state) under the lock; wakes the
  /// writer only when no write happened within the last interval.
  template <class Store>
  void offer(Store&& store) {
    if (failed_.load(std::memory_order_relaxed))
      throw_failure();
    std::unique_lock<std::mutex> guard{mtx_};
    store();
    dirty_ = true;
    if (blocked_)
      return;  // a write is due when the interval ends: no wake-up now
    blocked_ = true;
    guard.unlock();
    cv_.notify_one();
  }

  /// Writes the latest state if it was not written yet, ends the thread;
  /// throws lockstep::error(io_error) if that or an earlier write failed.
  void stop();
  std::uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }

 private:
  void run();
  void write_one(std::unique_lock<std::mutex>& guard);  // guard held, dirty_ set
  [[noreturn]] void throw_failure() const;

  std::chrono::nanoseconds every_;
  std::function<void()> capture_, write_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  bool dirty_ = false;     // a state was offered since the last capture
  bool blocked_ = false;   // within an interval after a write: offers do not wake
  bool stopping_ = false;
  bool stopped_ = false;
  std::atomic<bool> failed_{false};
  std::string failure_;    // under mtx_
  std::atomic<std::uint64_t> writes_{0};
  std::thread thread_;
};

}  // namespace detail

namespace detail {

/// A checkpointer of states of type `State` for a source named by `owner`
/// (checkpointer<S> below; job_runner's watermark checkpoints).
template <json_convertible State>
class basic_checkpointer {
 public:
  basic_checkpointer(checkpoint_owner owner, std::string file, std::chrono::nanoseconds every)
      : owner_(std::move(owner)),
        file_(std::move(file)),
        core_(every, [this] { capture(); }, [this] { write(); }) {}
  ~basic_checkpointer() {
    try {
      core_.stop();
    } catch (...) {  // stop() reports it to a caller who asks
    }
  }
  void offer(const State& state, std::uint64_t index) {
    core_.offer([&] {
      latest_ = state;
      latest_index_ = index;
    });
  }
  void stop() { core_.stop(); }
  std::uint64_t writes() const { return core_.writes(); }
  const std::string& file() const { return file_; }

 private:
  void capture() {
    writing_ = latest_;
    writing_index_ = latest_index_;
  }
  void write() {
    write_file_atomically(
      file_, checkpoint_text(owner_, writing_index_, &erased_to_json<State>, &*writing_) + "\n");
  }
  checkpoint_owner owner_;
  std::string file_;
  std::optional<State> latest_, writing_;
  std::uint64_t latest_index_ = 0, writing_index_ = 0;
  debouncer core_;  // last: its thread starts after the rest exists
};

}  // namespace detail

/// Saves a run's progress to `file` without slowing its steps (CVAT's
/// debounced "blocker key" in-process): call offer(state, index) after every
/// step; it stores the state (a copy-assignment under an uncontended lock,
/// no I/O) and a thread writes it: at once for the first offer after a quiet
/// interval, then at most once per `every`, the latest state each time.
/// stop() (and the destructor) writes the last state offered if it was not
/// written yet, so a run that ends, fails or is interrupted leaves its last
/// step. Each write is save_checkpoint's: a temporary file, fsynced, renamed.
///
/// A failed write makes the next offer() (and stop()) throw
/// lockstep::error(io_error) naming the file: a run should not go on
/// believing it can be resumed.
template <source S>
class checkpointer {
 public:
  using state_type = typename S::state_type;
  checkpointer(const S& src, std::string file, std::chrono::nanoseconds every)
      : core_(detail::owner_of(src), std::move(file), every) {}
  /// The state after `index` batches (what a resumed run starts from).
  void offer(const state_type& state, std::uint64_t index) { core_.offer(state, index); }
  void stop() { core_.stop(); }
  /// Files written so far.
  std::uint64_t writes() const { return core_.writes(); }
  const std::string& file() const { return core_.file(); }

 private:
  detail::basic_checkpointer<state_type> core_;
};

}  // namespace lockstep
