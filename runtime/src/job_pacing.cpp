#include "lockstep/detail/job_pacing.hpp"

#include <algorithm>

namespace lockstep::detail {

job_pacing::job_pacing(double per_second)
    : interval_(per_second > 0 ? std::chrono::duration_cast<clock::duration>(
                                   std::chrono::duration<double>(1.0 / per_second))
                               : clock::duration::zero()) {}

bool job_pacing::wait() {
  if (interval_ == clock::duration::zero())
    return true;
  std::unique_lock<std::mutex> guard{mtx_};
  if (cancelled_)
    return false;
  auto slot = std::max(clock::now(), next_);
  next_ = slot + interval_;
  return !cv_.wait_until(guard, slot, [&] { return cancelled_; });
}

void job_pacing::cancel() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    cancelled_ = true;
  }
  cv_.notify_all();
}

void job_pacing::reset() {
  std::lock_guard<std::mutex> guard{mtx_};
  cancelled_ = false;
  next_ = clock::time_point{};
}

}  // namespace lockstep::detail
