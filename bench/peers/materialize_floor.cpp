#include "materialize_floor.hpp"

#include <atomic>
#include <thread>
#include <vector>

namespace lockstep::bench {

namespace {

// Materializes batches[from, to) on `workers` threads; returns the bytes seen,
// so the work cannot be optimized away.
std::size_t materialize_all(const synthetic& src, const std::vector<synthetic_batch>& batches,
                            std::size_t from, std::size_t to, std::size_t workers) {
  std::atomic<std::size_t> next{from};
  std::atomic<std::size_t> bytes{0};
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < workers; ++t)
      threads.emplace_back([&] {
        std::size_t seen = 0;
        for (auto i = next++; i < to; i = next++)
          seen += src.materialize(batches[i]).bytes.size();
        bytes += seen;
      });
  }
  return bytes.load();
}

}  // namespace

throughput materialize_floor_rate(const workload& w) {
  synthetic src{w.params};
  std::vector<synthetic_batch> batches;
  auto state = synthetic_state::seeded(w.seed);
  while (batches.size() < w.total()) {
    auto step = src.iterate(state);
    if (!step)
      throw std::runtime_error("the synthetic source ended early");
    batches.push_back(std::move(step->first));
    state = std::move(step->second);
  }
  materialize_all(src, batches, 0, w.warmup, w.workers);
  auto usage = process_usage::now();
  auto start = bench_clock::now();
  auto bytes = materialize_all(src, batches, w.warmup, w.total(), w.workers);
  auto n = static_cast<double>(w.batches);
  auto elapsed = seconds_since(start);
  if (bytes != w.batches * w.params.item_bytes)
    throw std::runtime_error("materialize_floor: batches went missing");
  return {n / elapsed, (process_usage::now() - usage).per(n)};
}

}  // namespace lockstep::bench
