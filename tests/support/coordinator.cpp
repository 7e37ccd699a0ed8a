#include "coordinator.hpp"

#include <caf/atom.hpp>

#include "lockstep/detail/messages.hpp"

namespace lockstep::test {

coordinator_config::coordinator_config() {
  set("scheduler.policy", caf::atom("testing"));
  set("logger.inline-output", true);
  detail::msg::register_messages(*this);
}

}  // namespace lockstep::test
