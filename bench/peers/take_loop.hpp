// The client loop of a take(state)-style system: lockstep, plain_loop, head_of_line.
#pragma once

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// Threads the state through `system.take` as a training loop does and
/// measures the timed part of `w`.
template <class System>
throughput take_rate(System& system, const workload& w) {
  auto state = synthetic_state::seeded(w.seed);
  sink check{w.params.item_bytes};
  auto take_one = [&] {
    auto next = system.take(state);
    if (!next)
      throw std::runtime_error("the synthetic source ended early");
    check(next->output);
    state = std::move(next->state);
  };
  for (std::size_t i = 0; i < w.warmup; ++i)
    take_one();
  auto usage = process_usage::now();
  auto start = bench_clock::now();
  for (std::size_t i = 0; i < w.batches; ++i)
    take_one();
  auto n = static_cast<double>(w.batches);
  return {n / seconds_since(start), (process_usage::now() - usage).per(n)};
}

}  // namespace lockstep::bench
