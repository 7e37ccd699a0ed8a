// What a batcher reports about its run, readable at any time without blocking. API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep {

enum class run_status {
  stopped,  ///< never started
  running,  ///< a run is under way
  done,     ///< the source ended and the client took the end
  closed,   ///< stop() was called
  failed,   ///< a batch failed every attempt, or no worker was left
};

std::string_view to_string(run_status s);

/// A status with the error that caused `failed` (empty otherwise).
struct status_report {
  run_status status = run_status::stopped;
  std::string error{};
};

/// Counters a batcher reports; cumulative over its lifetime.
struct run_stats {
  std::uint64_t delivered = 0;     ///< batches handed to the client
  std::uint64_t retries = 0;       ///< failed attempts that were retried
  std::uint64_t restarts = 0;      ///< runs started (by start or a mismatched take)
  std::uint64_t workers_lost = 0;  ///< workers that died or whose node was lost
};

}  // namespace lockstep
