// A row of the report: one comparison, its figures and the goals it checks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats.hpp"

namespace lockstep::bench {

/// What a goal compares: a row's figures (its unit), or what a batch cost.
enum class quantity {
  value,
  cpu_us_per_batch,
  ctx_switches_per_batch,
};

/// The JSON name of a quantity's medians in a row ("values", "cpu_us_per_batch", ...).
std::string_view json_name(quantity q);

/// A goal of the brief, checked on a row's medians: `ratio` compared with
/// `target` (at least, or at most). Skipped when a figure it needs is missing.
struct goal {
  std::string text;  ///< e.g. "lockstep >= 0.95 x ideal"
  double ratio = 0;
  double target = 0;
  bool at_least = true;
  quantity of = quantity::value;
  std::optional<std::string> skipped;

  bool passed() const { return !skipped && (at_least ? ratio >= target : ratio <= target); }
};

struct figure {
  std::string system;
  summary value;
};

/// What one batch of a system cost the process measuring it (all its
/// threads), over the timed part: a rate hides work done on idle cores.
struct batch_cost {
  std::string system;
  summary cpu_us;    ///< CPU time, user + system, in µs
  summary switches;  ///< context switches, voluntary + involuntary
};

struct row {
  std::string name;
  std::string unit;
  bool higher_is_better = true;
  std::string setup;  ///< the workload, in words
  std::vector<figure> figures;
  std::vector<batch_cost> costs;  ///< for the systems whose cost this process sees
  std::vector<goal> goals;
  std::vector<std::string> notes;  ///< e.g. a system that could not be measured, and why
  std::optional<std::string> skipped;  ///< the whole row, and why

  /// A system's figure of `q`, or nullptr.
  const summary* find(std::string_view system, quantity q = quantity::value) const;
  void add(std::string system, summary value) { figures.push_back({std::move(system), value}); }
  /// Adds a system's cost per batch, from one sample of each per repetition.
  void add_cost(std::string system, const std::vector<double>& cpu_us,
                const std::vector<double>& switches);

  /// Adds "num >= target x den" (or <=) on the medians of `q`; skipped when
  /// either system's figure is missing.
  void add_ratio_goal(std::string_view num, std::string_view den, double target, bool at_least,
                      quantity q = quantity::value);
};

/// A row that cannot run yet, with the reason.
row skipped_row(std::string name, std::string unit, bool higher_is_better, std::string reason);

}  // namespace lockstep::bench
