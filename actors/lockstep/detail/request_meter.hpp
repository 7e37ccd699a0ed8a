// The request batcher's counters: written by submitting threads, the former
// and the model instances; read by stats() without asking any actor.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "lockstep/messages/errc.hpp"
#include "lockstep/messages/request_stats.hpp"

namespace lockstep::detail {

class request_meter {
 public:
  explicit request_meter(std::size_t max_batch_size) : sizes_(max_batch_size + 1, 0) {}

  void submitted() { submitted_.fetch_add(1, std::memory_order_relaxed); }
  /// One request answered: with a response (ok) or with error `code`.
  void answered(bool ok, errc code);
  void isolation_run() { isolation_runs_.fetch_add(1, std::memory_order_relaxed); }
  /// A batch of `waits.size()` requests starts; each waited that long.
  void batch(const std::vector<std::chrono::nanoseconds>& waits);

  request_stats snapshot(std::size_t queued) const;

 private:
  static constexpr std::size_t window = 4096;

  std::atomic<std::uint64_t> submitted_{0}, completed_{0}, failed_{0}, rejected_{0},
    queue_full_{0}, timed_out_{0}, stopped_{0}, isolation_runs_{0};
  mutable std::mutex mutex_;  // one lock a batch, taken by the former
  std::uint64_t batches_ = 0;
  std::vector<std::uint64_t> sizes_;
  std::array<std::int64_t, window> waits_{};  // ns, a ring
  std::size_t waits_seen_ = 0;
};

}  // namespace lockstep::detail
