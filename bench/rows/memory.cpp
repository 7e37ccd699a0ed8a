#include "memory.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <fmt/format.h>

#include "../child_process.hpp"
#include "lockstep/runtime/batcher.hpp"

namespace lockstep::bench {

namespace {

constexpr std::size_t workers = 4;
constexpr std::size_t buffer = 9;
constexpr std::size_t batches = 10'000;
constexpr std::uint64_t item_bytes = 1 << 20;
/// Set in a child's environment: leave glibc's allocator alone.
constexpr const char* untuned_env = "LOCKSTEP_BENCH_UNTUNED_ALLOCATOR";

/// A field of /proc/self/status in MB ("VmRSS", "VmHWM"; the kernel writes kB).
double status_mb(std::string_view field) {
  std::ifstream status{"/proc/self/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field, 0) == 0 && line.size() > field.size() && line[field.size()] == ':')
      return std::stod(line.substr(field.size() + 1)) / 1024;
  throw std::runtime_error(fmt::format("/proc/self/status has no {}", field));
}

}  // namespace

int memory_child() {
  synthetic_params p;
  p.item_bytes = item_bytes;
  config cfg;
  cfg.workers = workers;
  cfg.buffer = buffer;
  cfg.tune_allocator = std::getenv(untuned_env) == nullptr;
  batcher<synthetic> b{synthetic{p}, cfg};
  auto base = status_mb("VmRSS");
  // Sampled over time, so growth (a leak, an unbounded queue) shows apart
  // from the peak, which the kernel tracks exactly (VmHWM).
  std::atomic<std::size_t> taken{0};
  std::atomic<bool> done{false};
  double halves[2] = {0, 0};
  std::thread sampler{[&] {
    while (!done.load()) {
      auto rss = status_mb("VmRSS");
      auto& half = halves[taken.load() < batches / 2 ? 0 : 1];
      half = std::max(half, rss);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }};
  auto state = synthetic_state::seeded(1);
  for (std::size_t i = 0; i < batches; ++i) {
    auto next = b.take(state);
    state = std::move(next->state);
    taken.store(i + 1);
  }
  done = true;
  sampler.join();
  auto peak = status_mb("VmHWM");
  b.stop();
  boost::json::object out{{"base_mb", base}, {"peak_mb", peak}, {"first_half_mb", halves[0]},
                          {"second_half_mb", halves[1]}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

namespace {

struct child_figures {
  double peak_mb;
  double bound_mb;
  double growth;  // max RSS of the 2nd half / of the 1st half
};

child_figures run_child(const std::vector<std::string>& env) {
  child_process child{{self_executable(), "--memory-child"}, env};
  auto line = child.read_line();
  if (child.wait() != 0 || !line)
    throw std::runtime_error("memory_mb: the measuring process failed");
  auto v = boost::json::parse(*line).as_object();
  auto mb = [&](const char* key) { return boost::json::value_to<double>(v.at(key)); };
  return {mb("peak_mb"), mb("base_mb") + 1.2 * static_cast<double>(buffer + workers),
          mb("second_half_mb") / mb("first_half_mb")};
}

}  // namespace

row memory_row(context& ctx) {
  row r;
  r.name = "memory_mb";
  r.unit = "MB";
  r.higher_is_better = false;
  // By default lockstep limits glibc to one arena (config::tune_allocator),
  // where freed batches are reused. Measuring also without it, when glibc
  // keeps freed batches in per-thread arenas, shows what the setting is worth.
  const std::string untuned = std::string{untuned_env} + "=1";
  std::fprintf(stderr, "  %s: %d x 2 fresh processes\n", r.name.c_str(), ctx.opt.reps);
  std::vector<double> peak, bound, growth, peak_untuned;
  for (int i = 0; i < ctx.opt.reps; ++i) {
    auto f = run_child({});
    peak.push_back(f.peak_mb);
    bound.push_back(f.bound_mb);
    growth.push_back(f.growth);
    peak_untuned.push_back(run_child({untuned}).peak_mb);
  }
  r.add("peak_rss", summarize(peak));
  r.add("bound", summarize(bound));
  r.add_ratio_goal("peak_rss", "bound", 1, false);
  goal flat;
  flat.text = "flat: max RSS of 2nd half <= 1.05 x 1st half";
  flat.ratio = summarize(growth).median;
  flat.target = 1.05;
  flat.at_least = false;
  r.goals.push_back(flat);
  auto p = summarize(peak_untuned);
  r.notes.push_back(fmt::format("with tune_allocator = false (an arena per thread): peak_rss "
                                "{:.1f} MB ({:.1f}..{:.1f})",
                                p.median, p.min, p.max));
  r.setup = fmt::format("{} batches of 1 MB, W = {}, buffer {}, latency 0, a fresh process per "
                        "repetition; bound = base RSS + 1.2 x (buffer + W) MB",
                        batches, workers, buffer);
  return r;
}

}  // namespace lockstep::bench
