#include "lockstep/detail/request_meter.hpp"

#include <algorithm>

namespace lockstep::detail {

void request_meter::answered(bool ok, errc code) {
  auto& counter = ok                          ? completed_
                  : code == errc::rejected    ? rejected_
                  : code == errc::queue_full  ? queue_full_
                  : code == errc::timed_out   ? timed_out_
                  : code == errc::stopped     ? stopped_
                                              : failed_;
  counter.fetch_add(1, std::memory_order_relaxed);
}

void request_meter::batch(const std::vector<std::chrono::nanoseconds>& waits) {
  std::lock_guard lock{mutex_};
  ++batches_;
  if (waits.size() < sizes_.size())
    ++sizes_[waits.size()];
  for (auto w : waits)
    waits_[waits_seen_++ % window] = w.count();
}

request_stats request_meter::snapshot(std::size_t queued) const {
  request_stats s;
  s.submitted = submitted_.load();
  s.completed = completed_.load();
  s.failed = failed_.load();
  s.rejected = rejected_.load();
  s.queue_full = queue_full_.load();
  s.timed_out = timed_out_.load();
  s.stopped = stopped_.load();
  s.isolation_runs = isolation_runs_.load();
  s.queued = queued;
  std::vector<std::int64_t> recent;
  {
    std::lock_guard lock{mutex_};
    s.batches = batches_;
    s.batch_sizes = sizes_;
    recent.assign(waits_.begin(), waits_.begin() + std::min(waits_seen_, window));
  }
  if (recent.empty())
    return s;
  auto at = [&](double q) {
    auto k = static_cast<std::size_t>(q * static_cast<double>(recent.size() - 1));
    std::nth_element(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(k), recent.end());
    return static_cast<double>(recent[k]) / 1e6;
  };
  s.queue_wait_p50_ms = at(0.50);
  s.queue_wait_p99_ms = at(0.99);
  return s;
}

}  // namespace lockstep::detail
