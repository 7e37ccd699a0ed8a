// What request_batcher::stats() reports. API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lockstep {

struct request_stats {
  std::uint64_t submitted = 0;   ///< submit() calls
  std::uint64_t completed = 0;   ///< answered with a response
  std::uint64_t failed = 0;      ///< answered with the error of their batch
  std::uint64_t rejected = 0;    ///< refused by the model's validate
  std::uint64_t queue_full = 0;  ///< refused because the queue stayed full
  std::uint64_t timed_out = 0;   ///< dropped before they ran, past their timeout
  std::uint64_t stopped = 0;     ///< failed by stop()
  std::uint64_t batches = 0;     ///< run_batch calls for formed batches
  std::uint64_t isolation_runs = 0;  ///< extra run_batch calls to isolate a failing request
  /// batch_sizes[n]: formed batches of n requests (index 0 unused).
  std::vector<std::uint64_t> batch_sizes;
  /// Time from the request reaching the batcher to its batch starting, over
  /// the last 4096 requests that ran; 0 before any.
  double queue_wait_p50_ms = 0;
  double queue_wait_p99_ms = 0;
  std::size_t queued = 0;  ///< waiting for a batch now
};

}  // namespace lockstep
