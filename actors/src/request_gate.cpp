#include "lockstep/detail/request_gate.hpp"

namespace lockstep::detail {

bool request_gate::take() {
  if (queued_.fetch_add(1) < capacity_)
    return true;
  queued_.fetch_sub(1);
  return false;
}

request_gate::verdict request_gate::try_admit() {
  if (closed_.load())
    return verdict::stopped;
  return take() ? verdict::admitted : verdict::full;
}

request_gate::verdict request_gate::admit(std::chrono::nanoseconds wait) {
  auto first = try_admit();
  if (first != verdict::full || wait <= std::chrono::nanoseconds::zero())
    return first;
  auto deadline = std::chrono::steady_clock::now() + wait;
  waiting_.fetch_add(1);
  std::unique_lock lock{mutex_};
  auto v = verdict::full;
  // A release between a failed take() and the wait cannot be missed: the
  // releaser notifies under the mutex this thread holds until it waits.
  while (true) {
    if (closed_.load()) {
      v = verdict::stopped;
      break;
    }
    if (take()) {
      v = verdict::admitted;
      break;
    }
    if (room_.wait_until(lock, deadline) == std::cv_status::timeout) {
      v = closed_.load() ? verdict::stopped : take() ? verdict::admitted : verdict::full;
      break;
    }
  }
  waiting_.fetch_sub(1);
  return v;
}

void request_gate::release(std::size_t n) {
  if (n == 0)
    return;
  queued_.fetch_sub(n);
  if (waiting_.load() > 0) {
    std::lock_guard lock{mutex_};
    room_.notify_all();
  }
}

void request_gate::close() {
  closed_.store(true);
  std::lock_guard lock{mutex_};
  room_.notify_all();
}

}  // namespace lockstep::detail
