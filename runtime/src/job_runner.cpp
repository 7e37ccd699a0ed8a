#include "lockstep/runtime/job_runner.hpp"

#include <cmath>

namespace lockstep {

void job_config::validate() const {
  auto bad = [](const std::string& what) { throw error(errc::invalid_config, "job_config." + what); };
  if (max_ahead < 1 || max_ahead > max_buffer)
    bad("max_ahead must be 1.." + std::to_string(max_buffer) + ", not "
        + std::to_string(max_ahead));
  if (!std::isfinite(max_pages_per_second) || max_pages_per_second < 0)
    bad("max_pages_per_second must be a finite number >= 0 (0: no limit)");
  if (run.buffer)
    bad("run.buffer is not used by a job: set max_ahead");
  if (!checkpoint.empty() && checkpoint_every <= std::chrono::nanoseconds::zero())
    bad("checkpoint_every must be positive");
  run.validate();
}

}  // namespace lockstep
