#include "ideal_pool.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <queue>

namespace lockstep::bench {

ideal_pool simulate_ideal_pool(const workload& w) {
  synthetic src{w.params};
  const std::size_t window = w.buffer() + w.workers;
  // Times in ms. free_at: when each worker next falls idle (earliest first).
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (std::size_t i = 0; i < std::max<std::size_t>(w.workers, 1); ++i)
    free_at.push(0);
  std::vector<double> taken_at;  // batch i's take returns at taken_at[i]
  taken_at.reserve(w.total());
  double started = 0;
  ideal_pool out;
  out.take_ms.reserve(w.batches);
  auto state = synthetic_state::seeded(w.seed);
  for (std::size_t i = 0; i < w.total(); ++i) {
    auto step = src.iterate(state);
    if (!step)
      break;
    state = step->second;
    // In order, on a free worker, once batch i - window has been taken.
    started = std::max({started, free_at.top(), i >= window ? taken_at[i - window] : 0.0});
    free_at.pop();
    double done = started + std::chrono::duration<double, std::milli>(src.latency_of(step->first)).count();
    free_at.push(done);
    double asked = i == 0 ? 0.0 : taken_at.back();  // the client asks once the last take returned
    taken_at.push_back(std::max(asked, done));
    if (i >= w.warmup)
      out.take_ms.push_back(taken_at.back() - asked);
  }
  if (!out.take_ms.empty()) {
    double timed = taken_at.back() - (w.warmup > 0 ? taken_at[w.warmup - 1] : 0.0);
    out.batches_per_s = timed > 0 ? static_cast<double>(out.take_ms.size()) * 1e3 / timed : 0;
  }
  return out;
}

}  // namespace lockstep::bench
