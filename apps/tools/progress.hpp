// A one-line progress bar on stderr that fits the terminal: batches,
// batches/s, MB/s, ETA, and what went wrong on the way (retries, restarts).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "lockstep/messages/status.hpp"

namespace lockstep::cli {

/// What one progress line shows.
struct progress_figures {
  std::uint64_t batches = 0;
  std::optional<std::uint64_t> total;
  std::uint64_t bytes = 0;
  double seconds = 0;
  run_stats stats{};  ///< retries, restarts (beyond the first start), lost workers, stuck
  bool paused = false;
  std::string unit = "batches";  ///< what is counted: "batches", or a job's "pages"
  bool rows = false;             ///< `bytes` counts rows (a job's), shown as such
};

/// The line for `f` in at most `columns` - 1 characters (a line that fills
/// the last column wraps in many terminals). What does not fit is left out
/// in this order: the bar shrinks to 10 and goes, then MB/s, the ETA, the
/// status segment; a terminal narrower than that gets the line cut.
std::string progress_line(const progress_figures& f, std::size_t columns);

/// The width of the terminal on stderr; $COLUMNS, or 80, when it has none.
std::size_t terminal_columns();

class progress {
 public:
  /// `total` batches when known; `enabled` false draws nothing. `stats`,
  /// when given, is asked for the status segment each time the line is drawn.
  progress(std::optional<std::uint64_t> total, bool enabled,
           std::function<std::pair<run_stats, bool>()> stats = {});

  /// Counts `unit` ("pages") instead of batches, and rows instead of bytes.
  void count_rows(std::string unit) {
    unit_ = std::move(unit);
    rows_ = true;
  }
  /// One more batch of `bytes` bytes; redraws at most ten times a second.
  void add(std::uint64_t bytes);

  /// Clears the bar.
  void finish();

  std::uint64_t batches() const noexcept { return batches_; }
  std::uint64_t bytes() const noexcept { return bytes_; }
  double seconds() const;

 private:
  void draw();

  std::optional<std::uint64_t> total_;
  bool enabled_;
  std::function<std::pair<run_stats, bool>()> stats_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  std::uint64_t batches_ = 0;
  std::uint64_t bytes_ = 0;
  bool drawn_ = false;
  std::string unit_ = "batches";
  bool rows_ = false;
};

/// "12.3 MB/s"-style throughput of `bytes` over `seconds`.
std::string mb_per_s(std::uint64_t bytes, double seconds);

}  // namespace lockstep::cli
