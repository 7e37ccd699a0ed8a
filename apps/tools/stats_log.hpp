// `lockstep run --stats-json FILE`: the batcher's stats as JSON Lines, every
// few seconds, for dashboards and plots (scripts/plot-stats draws them).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "lockstep/messages/status.hpp"

namespace lockstep::cli {

/// What one line records besides the stats.
struct stats_sample {
  double seconds = 0;        ///< since the run started
  std::uint64_t batches = 0; ///< taken by this run of the command
  std::size_t pool = 0;      ///< workers in the pool
  run_stats stats{};
  status_report status{};
};

/// The line for `s`: one JSON object, no newline. Its fields: t, batches,
/// delivered, bytes_delivered, rate, retries, restarts, workers_lost,
/// hedges, hedges_won,
/// take_wait_s, issued, ahead, in_flight, stuck (how many now),
/// stuck_reported, oldest_index and oldest_age_s (while a batch is out),
/// pool, status, paused.
std::string stats_line(const stats_sample& s);

/// Appends a line every `every` seconds (due()) and one at the end. The file
/// is opened for appending when the log is made, before any batch: a path
/// that cannot be, or the checkpoint --resume reads, is refused with
/// lockstep::error(invalid_config) naming it. A failed write throws
/// lockstep::error(io_error) naming the file and the reason.
class stats_log {
 public:
  /// `path` empty: disabled. `every` > 0 seconds.
  stats_log(const std::string& path, double every, const std::string& resume);
  stats_log(const stats_log&) = delete;
  stats_log& operator=(const stats_log&) = delete;
  ~stats_log();

  bool enabled() const { return file_ != nullptr; }
  bool due(double seconds) const { return file_ != nullptr && seconds >= next_; }
  void write(const stats_sample& s);

 private:
  std::string path_;
  double every_;
  double next_ = 0;
  std::FILE* file_ = nullptr;
};

}  // namespace lockstep::cli
