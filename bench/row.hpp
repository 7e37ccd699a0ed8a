// A row of the report: one comparison, its figures and the goals it checks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats.hpp"

namespace lockstep::bench {

/// A goal of the brief, checked on a row's medians: `ratio` compared with
/// `target` (at least, or at most). Skipped when a figure it needs is missing.
struct goal {
  std::string text;  ///< e.g. "lockstep >= 0.95 x ideal"
  double ratio = 0;
  double target = 0;
  bool at_least = true;
  std::optional<std::string> skipped;

  bool passed() const { return !skipped && (at_least ? ratio >= target : ratio <= target); }
};

struct figure {
  std::string system;
  summary value;
};

struct row {
  std::string name;
  std::string unit;
  bool higher_is_better = true;
  std::string setup;  ///< the workload, in words
  std::vector<figure> figures;
  std::vector<goal> goals;
  std::vector<std::string> notes;  ///< e.g. a system that could not be measured, and why
  std::optional<std::string> skipped;  ///< the whole row, and why

  const summary* find(std::string_view system) const;
  void add(std::string system, summary value) { figures.push_back({std::move(system), value}); }

  /// Adds "num >= target x den" (or <=) on the medians; skipped when either
  /// system is missing.
  void add_ratio_goal(std::string_view num, std::string_view den, double target, bool at_least);
};

/// A row that cannot run yet, with the reason.
row skipped_row(std::string name, std::string unit, bool higher_is_better, std::string reason);

}  // namespace lockstep::bench
