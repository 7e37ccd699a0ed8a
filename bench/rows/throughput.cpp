#include "throughput.hpp"

#include <algorithm>
#include <cstdio>

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
  std::vector<std::function<double()>> runs;
  for (auto* c : contenders)
    runs.push_back([c] { return c->rate(c->work); });
  std::fprintf(stderr, "  %s: %zu systems x %d repetitions\n", r.name.c_str(), runs.size(),
               ctx.opt.reps);
  auto samples = interleaved(runs, ctx.opt.reps);
  for (std::size_t i = 0; i < contenders.size(); ++i)
    r.add(contenders[i]->name, summarize(samples[i]));
}

std::size_t batches_for(const std::function<double(const workload&)>& rate, workload w,
                        std::size_t trial, double seconds) {
  w.batches = trial;
  auto n = rate(w) * seconds;
  return static_cast<std::size_t>(std::clamp(n, static_cast<double>(trial), 2e7));
}

}  // namespace lockstep::bench
