#include "checkpointer.hpp"

#include <cstdio>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "lockstep/runtime/checkpointer.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep::bench {

namespace {

struct offers {
  double ns_per_offer = 0;
  double writes_per_minute = 0;
};

// Offers the states of a run for `seconds`, as a loop that does nothing else
// would: the worst case for the writing thread's share of the cores.
offers offer_for(const std::filesystem::path& file, double seconds) {
  synthetic src;
  std::vector<synthetic_state> states{synthetic_state::seeded(1)};
  for (int i = 0; i < 1023; ++i)
    states.push_back(src.iterate(states.back())->second);
  checkpointer<synthetic> ck{src, file.string(), std::chrono::seconds{1}};
  std::uint64_t n = 0;
  auto start = bench_clock::now();
  while (seconds_since(start) < seconds)
    for (int k = 0; k < 1024; ++k, ++n)
      ck.offer(states[n % states.size()], n);
  auto elapsed = seconds_since(start);
  ck.stop();
  // A minute of offers makes the leading write, then one at the end of each
  // interval: extrapolated from this run's interval writes (the final write
  // on stop and the leading one are not part of that rate).
  auto interval_writes = static_cast<double>(ck.writes()) - 2;
  return {elapsed * 1e9 / static_cast<double>(n), 1 + interval_writes / elapsed * 60};
}

}  // namespace

row checkpointer_row(context& ctx) {
  row r;
  r.name = "checkpointer_offer_ns";
  r.unit = "ns per offer; writes/min";
  r.higher_is_better = false;
  auto dir = std::filesystem::temp_directory_path()
             / fmt::format("lockstep-bench-ck-{}", std::random_device{}());
  std::filesystem::create_directories(dir);
  const double seconds = ctx.opt.quick ? 3.2 : 10.2;
  std::vector<double> ns, per_minute;
  std::fprintf(stderr, "  %s: %d runs of %.1f s\n", r.name.c_str(), ctx.opt.reps, seconds);
  for (int i = 0; i < ctx.opt.reps; ++i) {
    auto o = offer_for(dir / "ck.json", seconds);
    ns.push_back(o.ns_per_offer);
    per_minute.push_back(o.writes_per_minute);
  }
  std::filesystem::remove_all(dir);
  r.add("offer_ns", summarize(ns));
  r.add("writes_per_minute", summarize(per_minute));
  auto absolute = [&](const char* system, const char* text, double target) {
    goal g;
    g.text = text;
    g.ratio = r.find(system)->median;
    g.target = target;
    g.at_least = false;
    r.goals.push_back(g);
  };
  absolute("offer_ns", "offer_ns <= 100", 100);
  absolute("writes_per_minute", "writes_per_minute <= 61", 61);
  r.setup = fmt::format("checkpointer<synthetic>, 1 s interval, offers back to back on one thread "
                        "for {:.1f} s (states of a run, 1024 in turn); each write is a temporary "
                        "file, fsynced and renamed, on the machine's temporary directory; "
                        "writes per minute = 1 (the leading write) + the interval writes' rate",
                        seconds);
  return r;
}

}  // namespace lockstep::bench
