// The whole run: rows, the scaling series and the machine, as a table and as JSON.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "row.hpp"

namespace lockstep::bench {

/// Throughput against worker count on the fixed 2 ms work, for the plot.
struct scaling_series {
  struct system {
    std::string name;
    std::vector<summary> points;  ///< one per entry of `workers`
  };
  std::vector<std::size_t> workers;
  std::vector<system> systems;
};

/// What a reader needs to judge the figures: never a host name or a path.
struct machine {
  unsigned cores = 0;
  std::string cpu;
  std::string kernel;
};

machine describe_machine();

struct report {
  machine host;
  bool quick = false;
  int reps = 0;
  std::vector<row> rows;
  std::optional<scaling_series> scaling;
};

/// One Markdown table (row, system, median, spread, goal, ratio, result),
/// padded for a terminal, then each row's workload in words and its notes.
void print_table(std::FILE* out, const report& r);

/// {"machine", "quick", "reps", "rows": [{"name", "unit", "higher_is_better",
/// "setup", "values", "spread", "cpu_us_per_batch", "ctx_switches_per_batch",
/// "goals": [{"goal", "target", "compare", "of", "ratio", "pass"}], "notes"?,
/// "skipped"?}], "scaling"?}; "of" names the medians a goal compares.
boost::json::object to_json(const report& r);

}  // namespace lockstep::bench
