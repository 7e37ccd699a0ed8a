#include "lognormal.hpp"

#include <fmt/format.h>

#include "../peers/head_of_line.hpp"
#include "../peers/lockstep_batcher.hpp"
#include "../peers/tbb_pipeline.hpp"
#include "throughput.hpp"

namespace lockstep::bench {

namespace {

/// The mean latency of the timed batches of `w`: every system sleeps exactly
/// these, so W / mean is what perfect scheduling would reach.
double mean_latency_ms(const workload& w) {
  const synthetic src{w.params};
  auto state = synthetic_state::seeded(w.seed);
  double sum = 0;
  for (std::size_t i = 0; i < w.total(); ++i) {
    auto step = src.iterate(state);
    if (i >= w.warmup)
      sum += std::chrono::duration<double, std::milli>(src.latency_of(step->first)).count();
    state = step->second;
  }
  return sum / static_cast<double>(w.batches);
}

}  // namespace

row lognormal_row(context& ctx) {
  row r;
  r.name = "lognormal_w8";
  r.unit = "batches/s";
  workload w;
  w.params.latency_ms = 2;
  w.params.latency_sigma = 1;
  w.params.item_bytes = 64;
  w.workers = 8;
  w.warmup = 2 * (w.buffer() + w.workers);
  // Heavy tail: many batches, so each run meets its share of stragglers.
  w.batches = ctx.opt.quick ? 1500 : 5000;
  std::vector<contender> cs{{"lockstep", w, lockstep_rate},
                            {"head_of_line", w, head_of_line_rate},
                            {"tbb_pipeline", w, tbb_pipeline_rate}};
  for (auto& c : pytorch_contender(ctx, r, "pytorch", w))
    cs.push_back(std::move(c));
  measure(ctx, r, cs);
  r.add_ratio_goal("lockstep", "head_of_line", 1.3, true);
  r.add_ratio_goal("lockstep", "pytorch", 1.3, true);
  auto mean = mean_latency_ms(w);
  r.setup = fmt::format("W = 8, buffer {}, latency log-normal (median 2 ms, sigma 1; the timed "
                        "batches average {:.2f} ms, so W / mean = {:.0f}/s), {} B; {} warm-up then "
                        "{} timed batches, the same ones for every system",
                        w.buffer(), mean, 8 / mean * 1e3, w.params.item_bytes, w.warmup,
                        w.batches);
  return r;
}

}  // namespace lockstep::bench
