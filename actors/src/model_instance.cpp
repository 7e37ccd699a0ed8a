#include "lockstep/detail/model_instance.hpp"

#include <caf/actor_cast.hpp>

namespace lockstep::detail {

caf::behavior model_instance(caf::event_based_actor* self, std::size_t index, instance_run run) {
  return {
    [=](msg::request_batch& b) {
      // Idle before answering: the next batch can form from the answered
      // callers' new requests and wait in this mailbox, instead of the
      // former learning of the idle instance only after the last answer.
      auto former = caf::actor_cast<caf::actor>(self->current_sender());
      run(b.slots, [&] { self->send(former, msg::instance_idle{index}); });
      b.slots.clear();
    },
  };
}

}  // namespace lockstep::detail
