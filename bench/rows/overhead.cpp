#include "overhead.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "../peers/lockstep_batcher.hpp"
#include "../peers/plain_loop.hpp"
#include "../peers/tbb_pipeline.hpp"
#include "throughput.hpp"

namespace lockstep::bench {

row overhead_row(context& ctx) {
  row r;
  r.name = "overhead_trivial";
  r.unit = "batches/s";
  workload w;
  w.params.item_bytes = 64;
  w.warmup = 100;
  auto with_workers = [&](std::size_t n) {
    auto x = w;
    x.workers = n;
    return x;
  };
  // "Equal memory": TBB may hold as many batches as lockstep's byte budget
  // lets lockstep hold, which on 64-byte batches is more than buffer + W.
  const auto window = lockstep_budget_window(with_workers(2), budget_bytes);
  auto budget = [](const workload& x) { return lockstep_budget_rate(x, budget_bytes); };
  auto equal_memory = [window](const workload& x) { return tbb_pipeline_tokens_rate(x, window); };
  // A system that may hold `window` batches runs that far ahead before its
  // bound bites: warm it up past that, so the timed part is the steady state.
  const auto long_warmup = std::max<std::size_t>(w.warmup, 2 * window);
  auto windowed = [&](std::size_t n) {
    auto x = with_workers(n);
    x.warmup = long_warmup;
    return x;
  };
  std::vector<contender> cs{{"plain_loop", with_workers(1), plain_loop_rate},
                            {"tbb_pipeline", with_workers(2), tbb_pipeline_rate},
                            {"tbb_pipeline_equal_memory", windowed(2), equal_memory},
                            {"lockstep_w1", windowed(1), budget},
                            {"lockstep_w2", windowed(2), budget}};
  for (auto& c : pytorch_contender(ctx, r, "pytorch_w2", with_workers(2)))
    cs.push_back(std::move(c));
  // Rates span four orders of magnitude: size each system's run to the same time.
  for (auto& c : cs)
    if (ctx.measured(c.name))
      c.work.batches = batches_for(c.rate, c.work, c.name == "pytorch_w2" ? 300 : 2000,
                                 ctx.seconds_per_rep());
  measure(ctx, r, cs);
  r.add_ratio_goal("lockstep_w2", "tbb_pipeline", 0.5, true);
  r.add_ratio_goal("lockstep_w2", "tbb_pipeline_equal_memory", 0.5, true);
  r.add_ratio_goal("lockstep_w2", "pytorch_w2", 50, true);
  r.add_ratio_goal("lockstep_w2", "pytorch_w2", 100, true);
  r.add_ratio_goal("lockstep_w2", "tbb_pipeline", 2, false, quantity::cpu_us_per_batch);
  r.setup = fmt::format(
    "latency 0, {} B items; lockstep with buffer_bytes = {} (1 MiB) and "
    "buffer unset, W = 1 and 2; tbb_pipeline: token limit buffer + W = {} "
    "(buffer 2W+1); tbb_pipeline_equal_memory: token limit {}, the window "
    "of a lockstep_w2 batcher after {} batches (batcher::window()); "
    "{} warm-up batches ({} = max(100, 2 x window) for lockstep and "
    "tbb_pipeline_equal_memory), then about {:g} s per repetition",
    w.params.item_bytes, budget_bytes, with_workers(2).buffer() + 2, window, w.warmup, w.warmup,
    long_warmup, ctx.seconds_per_rep());
  return r;
}

}  // namespace lockstep::bench
