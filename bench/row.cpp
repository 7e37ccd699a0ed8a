#include "row.hpp"

#include <fmt/format.h>

namespace lockstep::bench {

std::string_view json_name(quantity q) {
  switch (q) {
    case quantity::value:
      return "values";
    case quantity::cpu_us_per_batch:
      return "cpu_us_per_batch";
    case quantity::ctx_switches_per_batch:
      return "ctx_switches_per_batch";
  }
  return "values";
}

const summary* row::find(std::string_view system, quantity q) const {
  if (q == quantity::value) {
    for (auto& f : figures)
      if (f.system == system)
        return &f.value;
    return nullptr;
  }
  for (auto& c : costs)
    if (c.system == system)
      return q == quantity::cpu_us_per_batch ? &c.cpu_us : &c.switches;
  return nullptr;
}

void row::add_cost(std::string system, const std::vector<double>& cpu_us,
                   const std::vector<double>& switches) {
  costs.push_back({std::move(system), summarize(cpu_us), summarize(switches)});
}

void row::add_ratio_goal(std::string_view num, std::string_view den, double target, bool at_least,
                         quantity q) {
  goal g;
  // The quantity leads the text when it is not the row's own figures, so the
  // table says which median the ratio is of.
  auto prefix = q == quantity::value ? std::string{} : fmt::format("{}: ", json_name(q));
  g.text = fmt::format("{}{} {} {:g} x {}", prefix, num, at_least ? ">=" : "<=", target, den);
  g.target = target;
  g.at_least = at_least;
  g.of = q;
  auto* n = find(num, q);
  auto* d = find(den, q);
  if (!n || !d)
    g.skipped = q == quantity::value ? fmt::format("no {} figure", n ? den : num)
                                     : fmt::format("no {} of {}", json_name(q), n ? den : num);
  else
    g.ratio = n->median / d->median;
  goals.push_back(std::move(g));
}

row skipped_row(std::string name, std::string unit, bool higher_is_better, std::string reason) {
  row r;
  r.name = std::move(name);
  r.unit = std::move(unit);
  r.higher_is_better = higher_is_better;
  r.skipped = std::move(reason);
  return r;
}

}  // namespace lockstep::bench
