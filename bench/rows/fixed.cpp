#include "fixed.hpp"

#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "../peers/head_of_line.hpp"
#include "../peers/lockstep_batcher.hpp"
#include "../peers/materialize_floor.hpp"
#include "../peers/tbb_pipeline.hpp"
#include "throughput.hpp"

namespace lockstep::bench {

namespace {

constexpr double latency_ms = 2;

std::string row_name(std::size_t workers) {
  return fmt::format("fixed_2ms_w{}", workers);
}

// Where the gap to ideal lies: in the work itself (the floor's share) or in
// the system delivering it.
void note_floor(row& r, double ideal) {
  auto median = [&](std::string_view system) -> std::optional<double> {
    for (auto& f : r.figures)
      if (f.system == system)
        return f.value.median;
    return std::nullopt;
  };
  auto floor = median("materialize_floor");
  if (!floor)
    return;
  std::string line = fmt::format("materialize_floor reaches {:.3f} of ideal", *floor / ideal);
  for (auto system : {"lockstep", "tbb_pipeline"})
    if (auto v = median(system))
      line += fmt::format("; {} {:.3f} of the floor", system, *v / *floor);
  r.notes.push_back(line);
}

row measure_at(context& ctx, std::size_t workers) {
  row r;
  r.name = row_name(workers);
  r.unit = "batches/s";
  workload w;
  w.params.latency_ms = latency_ms;
  w.params.item_bytes = 64;
  w.workers = workers;
  w.warmup = 2 * (w.buffer() + workers);
  auto ideal = static_cast<double>(workers) * 1e3 / latency_ms;
  w.batches = static_cast<std::size_t>(std::max(200.0, ideal * ctx.seconds_per_rep()));
  r.add("ideal", {ideal, ideal, ideal});
  std::vector<contender> cs{{"lockstep", w, lockstep_rate},
                            {"tbb_pipeline", w, tbb_pipeline_rate},
                            {"head_of_line", w, head_of_line_rate},
                            {"materialize_floor", w, materialize_floor_rate}};
  for (auto& c : pytorch_contender(ctx, r, "pytorch", w))
    cs.push_back(std::move(c));
  measure(ctx, r, cs);
  note_floor(r, ideal);
  r.add_ratio_goal("lockstep", "ideal", 0.95, true);
  r.add_ratio_goal("lockstep", "ideal", 0.97, true);
  r.add_ratio_goal("lockstep", "pytorch", 1, true);
  if (workers == 4)
    r.add_ratio_goal("lockstep", "tbb_pipeline", 1.5, false, quantity::cpu_us_per_batch);
  r.setup = fmt::format(
    "W = {}, materialize = fixed {:g} ms wait + {} B, buffer {}; {} warm-up "
    "then {} timed batches",
    workers, latency_ms, w.params.item_bytes, w.buffer(), w.warmup, w.batches);
  return r;
}

}  // namespace

std::vector<row> fixed_rows(context& ctx, std::optional<scaling_series>& scaling) {
  const std::vector<std::size_t> all{1, 2, 4, 8, 16};
  const std::vector<std::size_t> reported{1, 4, 16};
  std::vector<std::size_t> workers;
  for (auto n : all) {
    bool is_row = std::find(reported.begin(), reported.end(), n) != reported.end();
    if (ctx.opt.rows.empty() || (is_row && ctx.selected(row_name(n))))
      workers.push_back(n);
  }
  std::vector<row> rows;
  scaling_series series;
  for (auto n : workers) {
    auto r = measure_at(ctx, n);
    series.workers.push_back(n);
    for (auto& f : r.figures) {
      auto it = std::find_if(series.systems.begin(), series.systems.end(),
                             [&](auto& s) { return s.name == f.system; });
      if (it == series.systems.end())
        it = series.systems.insert(series.systems.end(), {f.system, {}});
      it->points.push_back(f.value);
    }
    if (std::find(reported.begin(), reported.end(), n) != reported.end())
      rows.push_back(std::move(r));
  }
  if (!workers.empty())
    scaling = std::move(series);
  return rows;
}

}  // namespace lockstep::bench
