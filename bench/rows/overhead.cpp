#include "overhead.hpp"

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
  std::vector<contender> cs{{"plain_loop", with_workers(1), plain_loop_rate},
                            {"tbb_pipeline", with_workers(2), tbb_pipeline_rate},
                            {"lockstep_w1", with_workers(1), lockstep_rate},
                            {"lockstep_w2", with_workers(2), lockstep_rate}};
  for (auto& c : pytorch_contender(ctx, r, "pytorch_w2", with_workers(2)))
    cs.push_back(std::move(c));
  // Rates span four orders of magnitude: size each system's run to the same time.
  for (auto& c : cs)
    if (ctx.measured(c.name))
      c.work.batches = batches_for(c.rate, c.work, c.name == "pytorch_w2" ? 300 : 2000,
                                 ctx.seconds_per_rep());
  measure(ctx, r, cs);
  r.add_ratio_goal("lockstep_w2", "tbb_pipeline", 0.5, true);
  r.add_ratio_goal("lockstep_w2", "pytorch_w2", 50, true);
  r.setup = fmt::format("latency 0, {} B items, buffer 2W+1, TBB token limit buffer+W; {} warm-up "
                        "batches, then about {:g} s per repetition",
                        w.params.item_bytes, w.warmup, ctx.seconds_per_rep());
  return r;
}

}  // namespace lockstep::bench
