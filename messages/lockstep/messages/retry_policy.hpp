// How often and how patiently a failing materialize is retried. API.
#pragma once

#include <chrono>
#include <cstdint>

namespace lockstep {

/// Exponential backoff with jitter; the defaults are OndaBatches'. Retry k
/// (1 for the first) waits min(max_delay, first_delay × factor^(k-1)),
/// scaled by a uniform draw in [1 - jitter, 1 + jitter], never above max_delay.
struct retry_policy {
  std::uint32_t max_retries = 4;  ///< retries after the first attempt
  std::chrono::nanoseconds first_delay = std::chrono::milliseconds{50};
  double factor = 5.0;
  double jitter = 0.1;
  std::chrono::nanoseconds max_delay = std::chrono::seconds{10};
};

}  // namespace lockstep
