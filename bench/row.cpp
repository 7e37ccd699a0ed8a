#include "row.hpp"

#include <fmt/format.h>

namespace lockstep::bench {

const summary* row::find(std::string_view system) const {
  for (auto& f : figures)
    if (f.system == system)
      return &f.value;
  return nullptr;
}

void row::add_ratio_goal(std::string_view num, std::string_view den, double target,
                         bool at_least) {
  goal g;
  g.text = fmt::format("{} {} {:g} x {}", num, at_least ? ">=" : "<=", target, den);
  g.target = target;
  g.at_least = at_least;
  auto* n = find(num);
  auto* d = find(den);
  if (!n || !d)
    g.skipped = fmt::format("no {} figure", n ? den : num);
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
