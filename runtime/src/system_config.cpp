#include "lockstep/detail/system_config.hpp"

#include <mutex>
#include <string>
#include <vector>

#include <malloc.h>

#include <caf/io/middleman.hpp>
#include <caf/timespan.hpp>

#include "lockstep/detail/messages.hpp"

namespace lockstep::detail {

void configure(caf::actor_system_config& cfg, std::size_t scheduler_threads,
               const network_settings* network, bool quiet_when_idle) {
  cfg.set("scheduler.max-threads", static_cast<int>(scheduler_threads));
  if (quiet_when_idle) {
    cfg.set("work-stealing.aggressive-poll-attempts", 20);
    cfg.set("work-stealing.moderate-poll-attempts", 0);
  }
  msg::register_messages(cfg);
  if (network == nullptr)
    return;
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", caf::timespan{network->heartbeat_interval});
  cfg.set("middleman.connection-timeout", caf::timespan{network->connection_timeout});
  // CAF refuses peers of another application at its own handshake.
  cfg.set("middleman.app-identifiers", std::vector<std::string>{"lockstep"});
}

void tune_allocator() {
  static std::once_flag once;
  std::call_once(once, [] { mallopt(M_ARENA_MAX, 1); });
}

}  // namespace lockstep::detail
