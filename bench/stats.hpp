// Repetitions, medians and spreads.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <vector>

namespace lockstep::bench {

using bench_clock = std::chrono::steady_clock;

inline double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

inline double ms_since(bench_clock::time_point start) {
  return seconds_since(start) * 1e3;
}

/// What this process spent over a span, all threads: CPU time (user +
/// system) and context switches (voluntary + involuntary), from getrusage.
/// Per batch, it shows where time goes that wall-clock rates hide.
struct process_usage {
  double cpu_s = 0;
  double switches = 0;

  static process_usage now();
  process_usage per(double batches) const { return {cpu_s / batches, switches / batches}; }
  friend process_usage operator-(const process_usage& a, const process_usage& b) {
    return {a.cpu_s - b.cpu_s, a.switches - b.switches};
  }
};

/// A throughput measurement: batches per second of the timed part and, for
/// systems running inside this process, what each batch cost it.
struct throughput {
  double batches_per_s = 0;
  std::optional<process_usage> per_batch;
};

/// A figure as reported: the median of the repetitions and their range.
struct summary {
  double median = 0;
  double min = 0;
  double max = 0;
};

/// Throws std::invalid_argument for no samples.
summary summarize(std::vector<double> samples);

/// Runs each measurement `reps` times, round-robin (first repetition of
/// every system, then the second, ...), so a burst of load from elsewhere on a
/// shared machine hits all systems alike instead of one. Returns the samples
/// per measurement, in the order given.
std::vector<std::vector<double>> interleaved(const std::vector<std::function<double()>>& measure,
                                             int reps);

}  // namespace lockstep::bench
