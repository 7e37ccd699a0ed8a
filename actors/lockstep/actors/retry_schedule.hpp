// How long to wait before retrying a failed materialize.
#pragma once

#include <chrono>
#include <cstdint>

namespace lockstep {

/// Exponential backoff with jitter; the defaults are OndaBatches'.
struct retry_policy {
  std::uint32_t max_retries = 4;  ///< retries after the first attempt
  std::chrono::nanoseconds first_delay = std::chrono::milliseconds{50};
  double factor = 5.0;
  double jitter = 0.1;  ///< each delay is scaled by a uniform draw in [1 - jitter, 1 + jitter]
  std::chrono::nanoseconds max_delay = std::chrono::seconds{10};
};

/// The delay before retry number `retry` (1 for the first retry):
/// min(max_delay, first_delay * factor^(retry-1)), scaled by the jitter that
/// `unit` (uniform in [0, 1)) selects, and never above max_delay.
std::chrono::nanoseconds retry_delay(const retry_policy& p, std::uint32_t retry,
                                     double unit);

}  // namespace lockstep
