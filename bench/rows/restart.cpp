#include "restart.hpp"

#include <fmt/format.h>

#include "lockstep/runtime/batcher.hpp"

namespace lockstep::bench {

row restart_row(context& ctx) {
  row r;
  r.name = "restart_ms";
  r.unit = "ms";
  r.higher_is_better = false;
  synthetic_params p;
  p.latency_ms = 2;
  p.item_bytes = 64;
  const std::size_t workers = 4;
  const int samples = ctx.opt.quick ? 15 : 40;
  const synthetic src{p};
  config cfg;
  cfg.workers = workers;
  batcher<synthetic> b{src, cfg};
  std::vector<double> restart;
  std::vector<double> direct;
  auto state = synthetic_state::seeded(1);
  std::fprintf(stderr, "  %s: %d restarts\n", r.name.c_str(), samples);
  for (int i = 0; i < samples; ++i) {
    // Take a few batches as fast as they come, keeping the state after the
    // first: a checkpoint from the recent past, as a resumed job passes. The
    // client just freed credit, so every worker is busy with the old run's
    // jobs, which the restart must not wait for.
    auto back = b.take(state)->state;
    state = back;
    for (int k = 0; k < 3; ++k)
      state = b.take(state)->state;
    auto start = bench_clock::now();
    auto next = b.take(back);
    restart.push_back(ms_since(start));
    state = next->state;

    auto step = src.iterate(state);
    start = bench_clock::now();
    src.materialize(step->first);
    direct.push_back(ms_since(start));
  }
  b.stop();
  r.add("lockstep", summarize(restart));
  r.add("materialize", summarize(direct));
  goal g;
  g.text = "lockstep <= materialize + 5 ms";
  g.ratio = r.find("lockstep")->median / (r.find("materialize")->median + 5);
  g.target = 1;
  g.at_least = false;
  r.goals.push_back(g);
  r.setup = fmt::format("W = {}, buffer {}, fixed 2 ms latency; {} restarts to a state 3 batches "
                        "back, each while all workers are busy; ratio = lockstep / "
                        "(materialize + 5 ms)",
                        workers, b.buffer(), samples);
  return r;
}

}  // namespace lockstep::bench
