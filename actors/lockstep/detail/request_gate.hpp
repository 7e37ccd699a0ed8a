// The request batcher's queue bound, shared by submitting threads and the
// former: a count of requests admitted and not yet taken into a batch.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace lockstep::detail {

class request_gate {
 public:
  enum class verdict { admitted, full, stopped };

  explicit request_gate(std::size_t capacity) : capacity_(capacity) {}

  /// Takes a place if one is free; never blocks.
  verdict try_admit();
  /// Takes a place, waiting up to `wait` for one.
  verdict admit(std::chrono::nanoseconds wait);
  /// `n` requests left the queue (into a batch, expired, or failed).
  void release(std::size_t n);
  /// Refuses every admission from now on and wakes the waiting ones.
  void close();

  bool closed() const { return closed_.load(); }
  std::size_t queued() const { return queued_.load(); }

 private:
  bool take();

  const std::size_t capacity_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> closed_{false};
  // Only callers that found the queue full touch the mutex; release()
  // takes it only when one of them waits.
  std::atomic<std::size_t> waiting_{0};
  std::mutex mutex_;
  std::condition_variable room_;
};

}  // namespace lockstep::detail
