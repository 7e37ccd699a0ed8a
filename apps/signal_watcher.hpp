// Signals that end `lockstep run`, taken on a thread of their own.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

#include <signal.h>

namespace lockstep::cli {

/// Turns SIGINT, SIGTERM, SIGHUP (the terminal or ssh session closed) and
/// SIGPIPE into one call of `on_signal(signo)` on a thread of its own, so a
/// take() that waits is interrupted at once. Construct it before any other
/// thread starts: the signals are blocked in every thread and read from a
/// signalfd. The thread is woken to stop through an eventfd, not a signal:
/// no signal of the user's (SIGUSR1 ...) is taken over, and each keeps its
/// default action. A SIGPIPE raised by a write to a closed pipe is directed
/// at the writing thread and stays pending there (the write fails with
/// EPIPE instead); it is dropped when the watcher ends.
class signal_watcher {
 public:
  explicit signal_watcher(std::function<void(int)> on_signal);
  signal_watcher(const signal_watcher&) = delete;
  signal_watcher& operator=(const signal_watcher&) = delete;
  ~signal_watcher();

  bool fired() const { return signal_ != 0; }
  /// The signal taken, or 0.
  int signal() const { return signal_; }

 private:
  sigset_t signals_;
  int signal_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<int> signal_{0};
  std::thread thread_;
};

/// Ends the process as `signo` would have, had it not been blocked: its
/// default action (termination, exit status 128 + signo as a shell shows
/// it), raised on the calling thread.
[[noreturn]] void die_of(int signo);

}  // namespace lockstep::cli
