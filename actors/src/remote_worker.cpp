#include "lockstep/actors/remote_worker.hpp"

#include <exception>

#include "lockstep/messages/messages.hpp"

namespace lockstep {

caf::behavior remote_worker(caf::event_based_actor* self, remote_worker_config cfg) {
  return {
    [=](const msg::wire_job& j) {
      msg::wire_result answer{j.epoch, j.seq, j.attempt, false, {},
                              {std::string{cfg.source->name()}, nullptr}};
      try {
        answer.output.value = cfg.source->materialize(cfg.source->decode_batch(j.batch));
      } catch (const std::exception& e) {
        answer.failed = true;
        answer.error = e.what();
      }
      ++*cfg.served;
      self->send(cfg.feeder, std::move(answer));
    },
  };
}

}  // namespace lockstep
