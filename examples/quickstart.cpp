// quickstart: take batches in order from 4 worker threads, threading the state.
// Run: build/dev/examples/quickstart
#include <cstdio>

#include <lockstep/runtime/batcher.hpp>
#include <lockstep/sources/synthetic.hpp>

int main() {
  lockstep::synthetic_params work;  // 1 ms of work and 1 KiB per batch
  work.latency_ms = 1;
  work.item_bytes = 1024;
  lockstep::config cfg;
  cfg.workers = 4;
  lockstep::batcher batches{lockstep::synthetic{work}, cfg};

  auto state = lockstep::synthetic_state::seeded(42);
  for (int step = 0; step < 100; ++step) {
    auto next = batches.take(state);  // the batch after `state`, and the state after it
    auto& [output, after] = *next;
    if (step % 25 == 0)
      std::printf("step %d: batch %llu, %zu bytes\n", step,
                  static_cast<unsigned long long>(output.index), output.bytes.size());
    state = after;  // saving `state` here is a complete checkpoint
  }
}
