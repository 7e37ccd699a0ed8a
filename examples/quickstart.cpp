// quickstart: the program on the README's first screen. It takes 1000
// batches in order from 4 worker threads, threading the state, and saves a
// checkpoint every 100 steps. Run: build/dev/examples/quickstart
#include <lockstep/runtime/batcher.hpp>
#include <lockstep/runtime/checkpoint.hpp>
#include <lockstep/sources/synthetic.hpp>

int main() {
  lockstep::synthetic_params work;          // your source goes here
  work.latency_ms = 1;
  lockstep::config cfg;
  cfg.workers = 4;                          // materialize on 4 threads
  lockstep::batcher batches{lockstep::synthetic{work}, cfg};

  auto state = lockstep::synthetic_state::seeded(42);
  for (int step = 0; step < 1000; ++step) {
    auto next = batches.take(state);        // always the batch after `state`
    auto& [output, after] = *next;
    // train(output) ...
    state = after;
    if (step % 100 == 0)                    // a checkpoint is just the state
      lockstep::write_checkpoint("state.json",
                                 lockstep::make_checkpoint<lockstep::synthetic>(state, step + 1));
  }
}
