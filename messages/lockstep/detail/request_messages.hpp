// The request batcher's messages.
//
// One request meets them in this order: submit → request_in (caller →
// former) → request_batch (former → a model instance) → the instance
// completes the request's slot and answers instance_idle. Local only: a slot
// holds the caller's callback.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "lockstep/detail/request_slot.hpp"

namespace lockstep::detail {

namespace msg {

/// A caller's request, to the former.
struct request_in {
  slot_ptr slot;
};

/// A batch, former → model instance. The instance completes every slot.
struct request_batch {
  std::vector<slot_ptr> slots;
};

/// A model instance has finished its batch, instance → former.
struct instance_idle {
  std::size_t instance = 0;
};

/// A timer of the former: a deadline or a timeout may be due at `at`.
struct former_tick {
  request_slot::clock::time_point at;
};

/// Fail every queued request with `stopped` and refuse those that follow;
/// `done` (may be empty) is called once that is done.
struct former_stop {
  std::function<void()> done;
};

}  // namespace msg
}  // namespace lockstep::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::request_in)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::request_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::instance_idle)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::former_tick)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(lockstep::detail::msg::former_stop)
