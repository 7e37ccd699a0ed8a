#include "stragglers.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <fmt/format.h>

#include "../peers/ideal_pool.hpp"
#include "lockstep/runtime/batcher.hpp"

namespace lockstep::bench {

namespace {

constexpr std::array<double, 4> percentiles{50, 90, 99, 99.9};

std::string percentile_name(double p) {
  return p == 99.9 ? "p999" : fmt::format("p{:.0f}", p);
}

using by_percentile = std::array<double, percentiles.size()>;

by_percentile percentiles_of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  by_percentile out{};
  for (std::size_t k = 0; k < percentiles.size() && !ms.empty(); ++k)
    out[k] = ms[static_cast<std::size_t>(percentiles[k] / 100 * static_cast<double>(ms.size() - 1))];
  return out;
}

struct latencies {
  double batches_per_s = 0;
  by_percentile ms{};
  process_usage per_batch;
};

// A training loop's view: the wall time of each take() of the timed part.
latencies take_latencies(const workload& w, bool hedge) {
  config cfg;
  cfg.workers = w.workers;
  cfg.buffer = w.buffer();
  cfg.hedge = hedge;
  batcher<synthetic> b{synthetic{w.params}, cfg};
  auto state = synthetic_state::seeded(w.seed);
  sink check{w.params.item_bytes};
  auto take_one = [&] {
    auto next = b.take(state);
    check(next->output);
    state = std::move(next->state);
  };
  for (std::size_t i = 0; i < w.warmup; ++i)
    take_one();
  std::vector<double> ms;
  ms.reserve(w.batches);
  auto usage = process_usage::now();
  auto start = bench_clock::now();
  for (std::size_t i = 0; i < w.batches; ++i) {
    auto t = bench_clock::now();
    take_one();
    ms.push_back(ms_since(t));
  }
  latencies out;
  out.batches_per_s = static_cast<double>(w.batches) / seconds_since(start);
  out.per_batch = (process_usage::now() - usage).per(static_cast<double>(w.batches));
  b.stop();
  out.ms = percentiles_of(std::move(ms));
  return out;
}

}  // namespace

row stragglers_row(context& ctx) {
  row r;
  r.name = "stragglers_p99";
  r.unit = "ms per take; batches/s";
  workload w;
  w.params.latency_ms = 2;
  w.params.latency_sigma = 1.5;
  w.params.item_bytes = 64;
  w.params.slow_worker_factor = 10;
  w.workers = 4;
  w.warmup = 2 * (w.buffer() + w.workers);
  w.batches = 2000;
  const std::array<std::pair<const char*, bool>, 2> systems{{{"lockstep", true},
                                                             {"lockstep_no_hedge", false}}};
  std::vector<std::vector<latencies>> runs(systems.size());
  std::vector<std::function<double()>> measures;
  for (std::size_t i = 0; i < systems.size(); ++i)
    measures.push_back([&, i] {
      runs[i].push_back(take_latencies(w, systems[i].second));
      return runs[i].back().batches_per_s;
    });
  std::fprintf(stderr, "  %s: %zu systems x %d repetitions\n", r.name.c_str(), systems.size(),
               ctx.opt.reps);
  auto rates = interleaved(measures, ctx.opt.reps);
  for (std::size_t i = 0; i < systems.size(); ++i) {
    std::string name = systems[i].first;
    for (std::size_t k = 0; k < percentiles.size(); ++k) {
      std::vector<double> v;
      for (auto& run : runs[i])
        v.push_back(run.ms[k]);
      r.add(name + "_" + percentile_name(percentiles[k]) + "_ms", summarize(v));
    }
    r.add(name + "_batches_s", summarize(rates[i]));
    std::vector<double> cpu_us, switches;
    for (auto& run : runs[i]) {
      cpu_us.push_back(run.per_batch.cpu_s * 1e6);
      switches.push_back(run.per_batch.switches);
    }
    r.add_cost(name + "_batches_s", cpu_us, switches);
  }
  // The floor: the same latencies through an ordered pool with no overhead
  // and no slow worker, computed (one value, nothing to repeat).
  auto ideal = simulate_ideal_pool(w);
  auto ideal_ms = percentiles_of(ideal.take_ms);
  for (std::size_t k = 0; k < percentiles.size(); ++k)
    r.add("ideal_" + percentile_name(percentiles[k]) + "_ms", summarize({ideal_ms[k]}));
  r.add("ideal_batches_s", summarize({ideal.batches_per_s}));
  auto ready = std::count_if(ideal.take_ms.begin(), ideal.take_ms.end(), [](double ms) { return ms == 0; });
  r.notes.push_back(fmt::format(
    "the floor, simulated on the same latencies (an ordered pool with no overhead and no slow "
    "worker, the same window): {:.0f} % of takes find their batch done, so its p50 is {:.2f} ms "
    "and its p99 {:.1f} ms: {}",
    100.0 * static_cast<double>(ready) / static_cast<double>(std::max<std::size_t>(ideal.take_ms.size(), 1)),
    ideal_ms[0], ideal_ms[2],
    ideal_ms[2] <= 3 * ideal_ms[0] ? "p99 within 3x p50 is within reach"
                                   : "no ordered loader with this window gets p99 within 3x p50 here"));
  r.add_ratio_goal("lockstep_p99_ms", "lockstep_p50_ms", 3, false);
  r.add_ratio_goal("lockstep_batches_s", "lockstep_no_hedge_batches_s", 1.3, true);
  r.add_ratio_goal("lockstep_batches_s", "lockstep_no_hedge_batches_s", 1.2, false,
                   quantity::cpu_us_per_batch);
  auto* p99 = r.find("lockstep_p99_ms");
  auto* rate = r.find("lockstep_batches_s");
  auto* p99_no = r.find("lockstep_no_hedge_p99_ms");
  auto* rate_no = r.find("lockstep_no_hedge_batches_s");
  if (p99 && rate && p99_no && rate_no && rate->median > 0)
    r.notes.push_back(fmt::format(
      "a take that finds its batch buffered returns in microseconds, so p50 is the buffer's "
      "hand-over, not a batch time; against the mean time between takes ({:.2f} ms with "
      "hedging), p99 is {:.1f}x with hedging and {:.1f}x without. A batch's own latency is drawn from its seed, "
      "so a hedge cuts only the slow worker's share of the tail",
      1e3 / rate->median, p99->median * rate->median / 1e3, p99_no->median * rate_no->median / 1e3));
  r.setup = fmt::format("W = 4, buffer {}, latency log-normal (median 2 ms, sigma 1.5), one "
                        "worker 10x slower than the others, {} B; {} warm-up then {} timed "
                        "takes, each timed; the same batches for both",
                        w.buffer(), w.params.item_bytes, w.warmup, w.batches);
  return r;
}

}  // namespace lockstep::bench
