#include "tbb_pipeline.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include "../stats.hpp"

namespace lockstep::bench {

throughput tbb_pipeline_rate(const workload& w) {
  return tbb_pipeline_tokens_rate(w, w.buffer() + w.workers);
}

throughput tbb_pipeline_tokens_rate(const workload& w, std::size_t tokens) {
  const synthetic src{w.params};
  // TBB sizes its pool to the cores by default; W sleeping workers need W
  // threads, as lockstep gets W worker threads.
  tbb::global_control threads{tbb::global_control::max_allowed_parallelism, w.workers};
  tbb::task_arena arena{static_cast<int>(w.workers)};
  auto state = synthetic_state::seeded(w.seed);
  std::size_t issued = 0;
  sink check{w.params.item_bytes};
  auto start = bench_clock::now();
  auto usage = process_usage::now();
  arena.execute([&] {
    tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<void, synthetic_batch>(
        tbb::filter_mode::serial_in_order,
        [&](tbb::flow_control& fc) {
          auto step = src.iterate(state);
          if (issued == w.total() || !step) {
            fc.stop();
            return synthetic_batch{};
          }
          ++issued;
          state = step->second;
          return step->first;
        })
      & tbb::make_filter<synthetic_batch, synthetic_output>(
        tbb::filter_mode::parallel, [&](const synthetic_batch& b) { return src.materialize(b); })
      & tbb::make_filter<synthetic_output, void>(
        tbb::filter_mode::serial_in_order, [&](const synthetic_output& out) {
          check(out);
          if (check.taken() == w.warmup) {
            usage = process_usage::now();
            start = bench_clock::now();
          }
        }));
  });
  if (check.taken() != w.total())
    throw std::runtime_error("tbb_pipeline: the synthetic source ended early");
  auto n = static_cast<double>(w.batches);
  return {n / seconds_since(start), (process_usage::now() - usage).per(n)};
}

}  // namespace lockstep::bench
