// An actor system under CAF's test coordinator: actors run only when the
// test says so, deterministically, on the test's thread.
#pragma once

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>

namespace lockstep::test {

struct coordinator_config : caf::actor_system_config {
  coordinator_config();
};

struct coordinator {
  coordinator_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());

  /// Runs every actor until all mailboxes are empty.
  void run() { sched.run(); }

  /// Fires due timers (retry backoffs), then runs.
  void advance(caf::timespan t) {
    sched.advance_time(t);
    sched.run();
  }
};

}  // namespace lockstep::test
