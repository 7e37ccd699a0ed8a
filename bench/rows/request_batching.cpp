#include "request_batching.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <future>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "../peers/caikit_batcher.hpp"
#include "../peers/lockstep_requests.hpp"
#include "../peers/unbatched.hpp"

namespace lockstep::bench {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t instances = 2;
constexpr std::size_t max_batch = 32;
constexpr std::chrono::microseconds max_delay = 5ms;
constexpr std::size_t callers = 64;
const request_cost cost{};

using factory = std::function<std::unique_ptr<request_system>()>;

struct system_under_test {
  std::string name;
  factory make;
};

std::vector<system_under_test> systems() {
  return {
    {"unbatched", [] { return std::make_unique<unbatched>(instances, cost); }},
    {"caikit_style",
     [] { return std::make_unique<caikit_batcher>(instances, cost, max_batch, max_delay); }},
    {"lockstep",
     [] {
       request_batcher_config c;
       c.max_batch_size = max_batch;
       c.max_delay = max_delay;
       c.instances = instances;
       c.max_queue = 1 << 20;  // the sweep overloads the peers; nothing is shed
       return std::make_unique<lockstep_requests>(c, cost);
     }},
  };
}

void check_no_failures(const request_system& s, const std::string& name) {
  if (s.failures() != 0)
    throw std::runtime_error(fmt::format("{} failed {} requests", name, s.failures()));
}

// How the `callers` closed-loop callers wait for their answers.
enum class callers_are {
  // Asynchronous: an answer's callback submits that caller's next request,
  // as an async server or Triton's perf_analyzer in concurrency mode does.
  async,
  // A thread each, blocked on a future: here every answer is a thread
  // wake-up, which this kind of machine makes dear for every system alike.
  threads,
};

struct closed_loop {
  request_system* sys = nullptr;
  std::atomic<bool> stop{false};
  std::atomic<bool> counting{false};
  std::atomic<std::uint64_t> answered{0};
  std::atomic<std::size_t> outstanding{0};

  void answer() {
    if (counting.load(std::memory_order_relaxed))
      answered.fetch_add(1, std::memory_order_relaxed);
  }
  void issue(int caller) {
    sys->submit(caller, [this, caller] {
      answer();
      if (stop.load(std::memory_order_relaxed))
        outstanding.fetch_sub(1);
      else
        issue(caller);
    });
  }
};

// Requests answered per second over `seconds`, after a warm-up.
double saturation_rps(const system_under_test& sut, callers_are how, double seconds) {
  auto sys = sut.make();
  closed_loop loop;
  loop.sys = sys.get();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < callers; ++i) {
    auto caller = static_cast<int>(i);
    if (how == callers_are::async) {
      loop.outstanding.fetch_add(1);
      loop.issue(caller);
      continue;
    }
    threads.emplace_back([&loop, caller] {
      while (!loop.stop.load(std::memory_order_relaxed)) {
        auto p = std::make_shared<std::promise<void>>();
        auto f = p->get_future();
        loop.sys->submit(caller, [p] { p->set_value(); });
        f.wait();
        loop.answer();
      }
    });
  }
  std::this_thread::sleep_for(200ms);
  loop.counting = true;
  auto start = bench_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  auto n = loop.answered.load();
  auto elapsed = seconds_since(start);
  loop.stop = true;
  for (auto& t : threads)
    t.join();
  // The async callers' last answers: a drain, polled.
  while (loop.outstanding.load() > 0) {
    check_no_failures(*sys, sut.name);
    std::this_thread::sleep_for(1ms);
  }
  check_no_failures(*sys, sut.name);
  return static_cast<double>(n) / elapsed;
}

// Open loop: request i is due at start + arrivals[i] (seconds), whenever the
// earlier ones are answered. Its latency runs from when it was due, not from
// when the generator got to it, so a late generator does not hide queueing;
// how late the generator was goes to `late` (ms, one entry per request).
std::vector<double> latencies_ms(const system_under_test& sut, const std::vector<double>& arrivals,
                                 std::vector<double>& late) {
  auto sys = sut.make();
  std::vector<double> ms(arrivals.size());
  std::atomic<std::size_t> answered{0};
  auto start = bench_clock::now() + 20ms;  // the system's threads are up by then
  for (std::size_t i = 0; i < arrivals.size(); ++i) {
    auto due = start + std::chrono::duration_cast<bench_clock::duration>(
                         std::chrono::duration<double>(arrivals[i]));
    precise_sleep_until(due);
    late.push_back(ms_since(due));
    sys->submit(static_cast<int>(i), [&ms, &answered, i, due] {
      ms[i] = std::chrono::duration<double, std::milli>(bench_clock::now() - due).count();
      answered.fetch_add(1, std::memory_order_release);
    });
  }
  // Waiting for the last answers is a drain, not a correctness check: poll.
  auto deadline = bench_clock::now() + 120s;
  while (answered.load(std::memory_order_acquire) < arrivals.size()) {
    check_no_failures(*sys, sut.name);
    if (bench_clock::now() > deadline)
      throw std::runtime_error(sut.name + ": requests still unanswered after 120 s");
    std::this_thread::sleep_for(1ms);
  }
  return ms;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p / 100 * static_cast<double>(v.size() - 1))];
}

// Poisson arrivals at `rate` per second for `seconds` (at least `min_count`
// of them), the same for every system of a repetition.
std::vector<double> poisson(double rate, double seconds, std::size_t min_count,
                            std::uint64_t seed) {
  std::mt19937_64 rng{seed};
  std::exponential_distribution<double> gap{rate};
  std::vector<double> at;
  for (double t = gap(rng); t < seconds || at.size() < min_count; t += gap(rng))
    at.push_back(t);
  return at;
}

std::vector<double> every(double interval_s, double seconds) {
  std::vector<double> at;
  for (double t = 0; t < seconds; t += interval_s)
    at.push_back(t);
  return at;
}

// Offered loads of the plot, requests/s; a system's sweep stops after the
// first load it cannot keep up with (p99 above a quarter second).
constexpr std::array<double, 9> sweep_rates{100, 300, 1000, 2000, 5000, 10000, 15000, 20000, 23000};
constexpr double saturated_p99_ms = 250;

}  // namespace

row request_batching_row(context& ctx) {
  row r;
  r.name = "request_batching";
  r.unit = "requests/s; ms";
  const bool quick = ctx.opt.quick;
  const double sat_s = quick ? 1.0 : 2.0;
  const double low_s = quick ? 4.0 : 10.0;
  const double trickle_s = quick ? 2.0 : 4.0;
  const double sweep_s = quick ? 0.5 : 1.0;
  auto all = systems();
  std::erase_if(all, [&](const system_under_test& s) { return !ctx.measured(s.name); });
  std::fprintf(stderr, "  %s: %d repetitions of saturation (%.0f s), 50/s (%.0f s), trickle "
               "(%.0f s), then one latency sweep\n", r.name.c_str(), ctx.opt.reps, sat_s, low_s,
               trickle_s);

  const double ideal = static_cast<double>(instances * max_batch) /
                       std::chrono::duration<double>(cost.of(max_batch)).count();
  r.add("ideal_saturation_rps", summary{ideal, ideal, ideal});

  std::vector<double> late;  // the generator's, over the low-load and trickle runs
  auto single = [](double v) { return summary{v, v, v}; };
  std::vector<std::function<double()>> measure;
  std::vector<std::string> names;
  int rep = 0;
  for (auto& s : all) {
    names.push_back(s.name + "_saturation_rps");
    measure.push_back([&s, sat_s] { return saturation_rps(s, callers_are::async, sat_s); });
  }
  for (auto& s : all) {
    names.push_back(s.name + "_saturation_threads_rps");
    measure.push_back([&s, sat_s] { return saturation_rps(s, callers_are::threads, sat_s); });
  }
  for (auto& s : all) {
    names.push_back(s.name + "_low_load_p99_ms");
    // Each repetition draws its own arrivals; every system of it gets the same.
    measure.push_back([&s, low_s, &rep, &late, n = all.size()] {
      return percentile(latencies_ms(s, poisson(50, low_s, 100, 1 + rep++ / n), late), 99);
    });
  }
  for (auto& s : all) {
    names.push_back(s.name + "_trickle_p99_ms");
    measure.push_back([&s, trickle_s, &late] {
      return percentile(latencies_ms(s, every(0.004, trickle_s), late), 99);
    });
  }
  auto samples = interleaved(measure, ctx.opt.reps);
  for (std::size_t i = 0; i < names.size(); ++i)
    r.add(names[i], summarize(samples[i]));

  // Near saturation the generator shares the cores with the system it loads:
  // its lateness there is part of the system's latency, not jitter.
  std::vector<double> sweep_late;
  for (auto& s : all)
    for (std::size_t k = 0; k < sweep_rates.size(); ++k) {
      auto rate = sweep_rates[k];
      auto ms = latencies_ms(s, poisson(rate, sweep_s, 100, 100 + k), sweep_late);
      auto p99 = percentile(ms, 99);
      r.add(fmt::format("{}_load_{:.0f}_p50_ms", s.name, rate), single(percentile(ms, 50)));
      r.add(fmt::format("{}_load_{:.0f}_p99_ms", s.name, rate), single(p99));
      if (p99 > saturated_p99_ms)
        break;
    }

  // Part of every low-load and trickle latency, whichever system ran: the
  // machine's wake-up jitter as the load generator saw it.
  r.add("generator_late_p99_ms", single(percentile(late, 99)));

  r.add_ratio_goal("lockstep_saturation_rps", "ideal_saturation_rps", 0.9, true);
  goal low;
  auto bound = std::chrono::duration<double, std::milli>(max_delay + cost.of(1)).count() + 2;
  low.text = fmt::format(
    "lockstep_low_load_p99_ms <= {:.2f} (max_delay + one single-item run + 2 ms)", bound);
  low.target = bound;
  low.at_least = false;
  if (auto* p99 = r.find("lockstep_low_load_p99_ms"))
    low.ratio = p99->median;
  else
    low.skipped = "no lockstep_low_load_p99_ms figure";
  r.goals.push_back(low);
  r.add_ratio_goal("lockstep_trickle_p99_ms", "caikit_style_trickle_p99_ms", 0.25, false);
  r.setup = fmt::format(
    "a model call sleeps 1 ms + 50 us per request; 2 instances; max_batch_size 32, max_delay 5 ms "
    "(caikit_style: batch_size 32, idle gap 5 ms); saturation: {} closed-loop callers for {:.0f} s "
    "after 0.2 s, asynchronous (an answer submits that caller's next request; "
    "*_saturation_threads_rps: a thread each, blocked on a future); low load: Poisson 50 "
    "requests/s for {:.0f} s; trickle: one request every 4 ms for {:.0f} s; latency from when a "
    "request was due; sweep: Poisson at each load for {:.1f} s (at least 100 requests), one run "
    "per point, stopping after the first load whose p99 exceeds {:.0f} ms", callers, sat_s, low_s, trickle_s, sweep_s, saturated_p99_ms);
  return r;
}

}  // namespace lockstep::bench
