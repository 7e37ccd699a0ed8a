// How long to wait before retrying a failed materialize.
#pragma once

#include <chrono>
#include <cstdint>

#include "lockstep/messages/retry_policy.hpp"

namespace lockstep::detail {

/// The delay before retry number `retry` (1 for the first) under `p`, with
/// the jitter that `unit` (uniform in [0, 1)) selects.
std::chrono::nanoseconds retry_delay(const retry_policy& p, std::uint32_t retry, double unit);

}  // namespace lockstep::detail
