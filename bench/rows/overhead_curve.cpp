#include "overhead_curve.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "../peers/lockstep_batcher.hpp"
#include "../peers/plain_loop.hpp"
#include "../peers/tbb_pipeline.hpp"
#include "overhead.hpp"
#include "throughput.hpp"

namespace lockstep::bench {

namespace {

constexpr std::size_t workers = 2;
constexpr std::array<int, 4> costs_us{0, 10, 100, 1000};
constexpr std::array<const char*, 3> systems{"lockstep", "tbb", "pytorch"};

std::string key(std::string_view system, int cost_us) {
  return fmt::format("{}_{}us", system, cost_us);
}

}  // namespace

row overhead_curve_row(context& ctx) {
  row r;
  r.name = "overhead_curve";
  r.unit = "batches/s";
  // A busy spin, not a sleep: real materialize work (decoding, augmenting)
  // holds a core, so the runtime's own threads compete with it for the two
  // cores; and a 10 µs sleep would last the timer's wake-up (~50 µs here),
  // not 10 µs. The spin counts the worker thread's CPU time, so a preempted
  // worker still does the whole cost.
  auto work_at = [](int cost_us) {
    workload w;
    w.params.item_bytes = 64;
    w.params.spin_ms = cost_us / 1e3;
    w.workers = workers;
    w.warmup = cost_us == 0 ? 100 : 2 * (w.buffer() + workers);
    return w;
  };
  // At cost 0 lockstep's producers outrun the client and may run a whole
  // window ahead (up to what the budget holds) before credit bites: its
  // warm-up there goes past that. With a cost, the client outruns the
  // workers and the window never fills.
  const auto window = lockstep_budget_window(work_at(0), budget_bytes);
  auto lockstep_work = [&](int cost_us) {
    auto w = work_at(cost_us);
    if (cost_us == 0)
      w.warmup = std::max<std::size_t>(w.warmup, 2 * window);
    return w;
  };
  auto budget = [](const workload& x) { return lockstep_budget_rate(x, budget_bytes); };
  const bool pytorch = !ctx.pytorch.unavailable().has_value();
  if (!pytorch)
    r.notes.push_back("pytorch not measured: " + *ctx.pytorch.unavailable());
  std::vector<contender> cs{{"plain_loop_0us", work_at(0), plain_loop_rate}};
  for (auto cost : costs_us) {
    auto w = work_at(cost);
    cs.push_back({key("lockstep", cost), lockstep_work(cost), budget});
    cs.push_back({key("tbb", cost), w, tbb_pipeline_rate});
    if (pytorch)
      for (auto& c : pytorch_contender(ctx, r, key("pytorch", cost), w))
        cs.push_back(std::move(c));
  }
  // One trial per system sizes its runs to the same time: rates span five
  // orders of magnitude (plain_loop at cost 0 against PyTorch at 1 ms).
  for (auto& c : cs) {
    if (!ctx.measured(c.name))
      continue;
    auto cost_us = c.work.params.spin_ms * 1e3;
    auto trial = cost_us == 0 ? std::size_t{2000}
                              : static_cast<std::size_t>(std::clamp(5e4 / cost_us, 50.0, 2000.0));
    if (c.name.starts_with("pytorch"))
      trial = std::min<std::size_t>(trial, 300);
    c.work.batches = batches_for(c.rate, c.work, trial, ctx.seconds_per_rep());
  }
  measure(ctx, r, cs);
  for (auto cost : costs_us)
    if (cost > 0) {
      double ideal = workers * 1e6 / cost;
      r.add(key("ideal", cost), {ideal, ideal, ideal});
    }

  // Efficiency = batches/s / ideal; at cost 0 the ideal is plain_loop's rate
  // (one thread, no runtime): W / 0 has no meaning.
  std::string efficiency;
  for (auto* system : systems) {
    std::string points;
    for (auto cost : costs_us) {
      auto* got = r.find(key(system, cost));
      auto* ideal = r.find(cost == 0 ? std::string{"plain_loop_0us"} : key("ideal", cost));
      if (got && ideal)
        points += fmt::format("{}{} us {:.3g}", points.empty() ? "" : ", ", cost,
                              got->median / ideal->median);
    }
    if (!points.empty())
      efficiency += fmt::format("{}{}: {}", efficiency.empty() ? "" : "; ", system, points);
  }
  if (!efficiency.empty())
    r.notes.push_back("efficiency (batches/s / ideal): " + efficiency);
  r.setup = fmt::format(
    "W = {}; materialize = a busy spin of 0, 10, 100 or 1000 us of the worker thread's CPU time "
    "(synthetic spin_ms; preempted time does not count) plus {} B of content; lockstep with "
    "buffer_bytes = {} (1 MiB) and buffer unset, as in overhead_trivial; tbb: token limit "
    "buffer + W = {}; ideal_<cost>us = W / cost (every worker spinning on a core of its own: "
    "this machine has as many cores as workers, so the runtime's threads compete with the "
    "spin); at cost 0 the ideal is plain_loop_0us; warm-up 100 batches at cost 0 ({} = max(100, "
    "2 x lockstep's window of {}) for lockstep), else 2 x (buffer + W); about {:g} s per "
    "repetition",
    workers, work_at(0).params.item_bytes, budget_bytes, work_at(0).buffer() + workers,
    lockstep_work(0).warmup, window, ctx.seconds_per_rep());
  return r;
}

}  // namespace lockstep::bench
