#include "throughput.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace lockstep::bench {

std::vector<contender> pytorch_contender(context& ctx, row& r, std::string name,
                                         const workload& w) {
  if (!ctx.measured(name))
    return {};
  if (auto& why = ctx.pytorch.unavailable()) {
    r.notes.push_back(name + " not measured: " + *why);
    return {};
  }
  return {{std::move(name), w, [&ctx](const workload& x) { return ctx.pytorch.rate(x); }}};
}

void measure(context& ctx, row& r, const std::vector<contender>& all) {
  std::vector<const contender*> contenders;
  for (auto& c : all)
    if (ctx.measured(c.name))
      contenders.push_back(&c);
  std::vector<std::vector<double>> cpu_us(contenders.size());
  std::vector<std::vector<double>> switches(contenders.size());
  std::vector<std::function<double()>> runs;
  for (std::size_t i = 0; i < contenders.size(); ++i)
    runs.push_back([&, i] {
      auto t = contenders[i]->rate(contenders[i]->work);
      if (t.per_batch) {
        cpu_us[i].push_back(t.per_batch->cpu_s * 1e6);
        switches[i].push_back(t.per_batch->switches);
      }
      return t.batches_per_s;
    });
  std::fprintf(stderr, "  %s: %zu systems x %d repetitions\n", r.name.c_str(), runs.size(),
               ctx.opt.reps);
  auto samples = interleaved(runs, ctx.opt.reps);
  for (std::size_t i = 0; i < contenders.size(); ++i) {
    r.add(contenders[i]->name, summarize(samples[i]));
    if (!cpu_us[i].empty())
      r.add_cost(contenders[i]->name, cpu_us[i], switches[i]);
  }
}

std::size_t batches_for(const std::function<throughput(const workload&)>& rate, workload w,
                        std::size_t trial, double seconds) {
  w.batches = trial;
  auto n = rate(w).batches_per_s * seconds;
  return static_cast<std::size_t>(std::clamp(n, static_cast<double>(trial), 2e7));
}

}  // namespace lockstep::bench
