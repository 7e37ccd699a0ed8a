// A model instance of the request batcher: runs the batches the former
// sends it, one at a time.
#pragma once

#include <cstddef>

#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>

#include "lockstep/detail/request_messages.hpp"

namespace lockstep::detail {

/// Handles msg::request_batch: runs it, drops the slots, and tells the
/// sender (the former) msg::instance_idle{index}.
caf::behavior model_instance(caf::event_based_actor* self, std::size_t index, instance_run run);

}  // namespace lockstep::detail
