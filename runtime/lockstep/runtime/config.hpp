// How a batcher runs: workers, buffer, retries.
#pragma once

#include <cstddef>
#include <optional>

#include "lockstep/actors/retry_schedule.hpp"

namespace lockstep {

/// The number of hardware threads, at least 1: the default worker count.
std::size_t default_workers();

struct config {
  /// Local worker threads; 0 makes the manager side materialize by itself.
  std::size_t workers = default_workers();
  /// Materialized batches held ahead of the client; default 2 × workers + 1.
  std::optional<std::size_t> buffer;
  retry_policy retry;
  /// Jobs a worker may hold at once (1: a worker takes a job only when free).
  std::size_t worker_prefetch = 1;
  /// Threads of CAF's scheduler, which runs the manager, feeder and collector
  /// (workers have threads of their own).
  std::size_t scheduler_threads = 2;
  /// Start at construction; requires an initial state.
  bool start = false;

  std::size_t effective_buffer() const { return buffer.value_or(2 * workers + 1); }

  /// Throws lockstep::error(errc::invalid_config) naming the first bad field.
  void validate() const;
};

}  // namespace lockstep
