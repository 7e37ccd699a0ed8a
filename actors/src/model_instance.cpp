#include "lockstep/detail/model_instance.hpp"

#include <caf/actor_cast.hpp>

namespace lockstep::detail {

caf::behavior model_instance(caf::event_based_actor* self, std::size_t index, instance_run run) {
  return {
    [=](msg::request_batch& b) {
      run(b.slots);
      b.slots.clear();
      self->send(caf::actor_cast<caf::actor>(self->current_sender()), msg::instance_idle{index});
    },
  };
}

}  // namespace lockstep::detail
