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
///
/// `quiet_when_idle`: an idle scheduler thread goes to sleep (woken by the
/// next message from outside) after 20 quick polls, instead of 100 and then
/// polling every 50 µs for 25 ms (each of those naps is a timer wake-up and
/// a context switch). Right where no actor blocks its thread (a batcher's
/// manager, feeder and collector); wrong on a node, whose workers block in
/// materialize, so a job queued at a blocked thread waits for another to
/// steal it.
void configure(caf::actor_system_config& cfg, std::size_t scheduler_threads,
               const network_settings* network, bool quiet_when_idle);

/// Limits glibc to one arena, once per process (see config::tune_allocator).
void tune_allocator();

}  // namespace lockstep::detail
