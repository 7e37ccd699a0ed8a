#include "coordinator.hpp"

#include <caf/atom.hpp>

#include "lockstep/messages/messages.hpp"

namespace lockstep::test {

coordinator_config::coordinator_config() {
  set("scheduler.policy", caf::atom("testing"));
  set("logger.inline-output", true);
  msg::register_messages(*this);
}

}  // namespace lockstep::test
