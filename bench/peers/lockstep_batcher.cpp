#include "lockstep_batcher.hpp"

#include "lockstep/runtime/batcher.hpp"
#include "take_loop.hpp"

namespace lockstep::bench {

namespace {

config with_budget(const workload& w, std::size_t buffer_bytes) {
  config cfg;
  cfg.workers = w.workers;
  // buffer stays unset: a set buffer would cap the window at buffer + W.
  cfg.buffer_bytes = buffer_bytes;
  return cfg;
}

throughput rate(const workload& w, const config& cfg) {
  batcher<synthetic> b{synthetic{w.params}, cfg};
  auto t = take_rate(b, w);
  b.stop();
  return t;
}

}  // namespace

throughput lockstep_rate(const workload& w) {
  config cfg;
  cfg.workers = w.workers;
  cfg.buffer = w.buffer();
  return rate(w, cfg);
}

throughput lockstep_budget_rate(const workload& w, std::size_t buffer_bytes) {
  return rate(w, with_budget(w, buffer_bytes));
}

std::size_t lockstep_budget_window(const workload& w, std::size_t buffer_bytes) {
  batcher<synthetic> b{synthetic{w.params}, with_budget(w, buffer_bytes)};
  auto state = synthetic_state::seeded(w.seed);
  for (std::size_t i = 0; i < w.warmup; ++i)
    state = std::move(b.take(state)->state);
  auto window = b.window();
  b.stop();
  return window;
}

}  // namespace lockstep::bench
