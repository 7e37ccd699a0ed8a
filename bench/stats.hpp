// Repetitions, medians and spreads.
#pragma once

#include <chrono>
#include <functional>
#include <vector>

namespace lockstep::bench {

using bench_clock = std::chrono::steady_clock;

inline double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

inline double ms_since(bench_clock::time_point start) {
  return seconds_since(start) * 1e3;
}

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
