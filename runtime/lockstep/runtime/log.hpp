// lockstep's logger: spdlog's "lockstep" logger, writing to stderr.
#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "lockstep/actors/event_log.hpp"

namespace lockstep {

/// The logger every lockstep component writes to. Replace its sinks or level
/// to redirect or silence lockstep (tests capture it this way).
std::shared_ptr<spdlog::logger> logger();

/// An event_log that writes to logger(), for the actors.
event_log actor_events();

}  // namespace lockstep
