// The collector actor: puts results back in order and hands them to the client.
#pragma once

#include <memory>
#include <vector>

#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "lockstep/actors/client_queue.hpp"
#include "lockstep/actors/reorder_buffer.hpp"

namespace lockstep {

struct collector_state {
  std::shared_ptr<client_queue> queue;
  reorder_buffer buffer;
  std::uint64_t epoch = 0;  ///< the run being collected; 0 = none
  std::vector<delivery> released;

  static inline const char* name = "lockstep.collector";
};

/// Receives msg::result, msg::batch_failed, msg::run_end and msg::run_failed
/// of the current run (anything of another epoch is dropped), releases them
/// strictly by seq through a reorder_buffer and pushes them to the client
/// queue. The buffer never holds more than the credit window allows.
caf::behavior collector(caf::stateful_actor<collector_state>* self,
                        std::shared_ptr<client_queue> queue);

}  // namespace lockstep
