// The CAF settings every lockstep actor system shares (private header).
#pragma once

#include <chrono>
#include <cstddef>

#include <caf/actor_system_config.hpp>

namespace lockstep::detail {

struct network_settings {
  std::chrono::milliseconds heartbeat_interval;
  std::chrono::milliseconds connection_timeout;
};

/// Scheduler threads set explicitly (CAF starts at least 4 otherwise),
/// lockstep's messages registered, and with `network` CAF's middleman
/// loaded with heartbeats on, so a silent peer is noticed.
void configure(caf::actor_system_config& cfg, std::size_t scheduler_threads,
               const network_settings* network);

}  // namespace lockstep::detail
