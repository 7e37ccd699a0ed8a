// job_config::max_pages_per_second: pages start at most that often.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace lockstep::detail {

/// Hands out start times 1/rate apart to the workers that ask, each waiting
/// for its own (no burst: a pause is not made up for). cancel() wakes every
/// waiter and makes later waits return at once, so a stopping job never
/// waits for its pacing. Thread-safe.
class job_pacing {
 public:
  explicit job_pacing(double per_second);  // 0: no limit
  /// Waits for the next start time; false when cancelled.
  bool wait();
  void cancel();
  void reset();  ///< after cancel(): pacing again, from now

 private:
  using clock = std::chrono::steady_clock;
  clock::duration interval_{};
  std::mutex mtx_;
  std::condition_variable cv_;
  clock::time_point next_{};
  bool cancelled_ = false;
};

}  // namespace lockstep::detail
