#include "lockstep/runtime/config.hpp"

#include <string>
#include <thread>

#include "lockstep/runtime/errors.hpp"

namespace lockstep {

std::size_t default_workers() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
  throw error(errc::invalid_config, "invalid config: " + field + " " + why);
}

}  // namespace

void config::validate() const {
  constexpr std::size_t max_workers = 4096;
  if (workers > max_workers)
    invalid("workers", "is " + std::to_string(workers) + "; at most "
                         + std::to_string(max_workers) + " are supported");
  if (buffer && *buffer == 0)
    invalid("buffer", "must be at least 1");
  if (worker_prefetch == 0)
    invalid("worker_prefetch", "must be at least 1");
  if (scheduler_threads == 0)
    invalid("scheduler_threads", "must be at least 1");
  if (retry.first_delay.count() < 0)
    invalid("retry.first_delay", "must not be negative");
  if (retry.max_delay < retry.first_delay)
    invalid("retry.max_delay", "must not be below retry.first_delay");
  if (!(retry.factor >= 1.0))
    invalid("retry.factor", "must be at least 1");
  if (!(retry.jitter >= 0.0 && retry.jitter < 1.0))
    invalid("retry.jitter", "must be in [0, 1)");
}

}  // namespace lockstep
