// The library's logger behind lockstep/runtime/log.hpp (private).
#pragma once

#include <spdlog/logger.h>

#include "lockstep/detail/event_log.hpp"

namespace lockstep::detail {

/// spdlog's logger, writing to the sink of set_log_sink (stderr by default)
/// at the level of set_log_level.
spdlog::logger& logger();

/// An event_log that writes to logger(), for the actors.
event_log actor_events();

}  // namespace lockstep::detail
