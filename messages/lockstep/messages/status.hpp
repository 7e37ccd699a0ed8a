// The run status a batcher reports: readable at any time without blocking.
#pragma once

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
  std::string error;
};

}  // namespace lockstep
