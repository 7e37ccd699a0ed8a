#include "lockstep/actors/worker.hpp"

#include <exception>

#include "lockstep/messages/messages.hpp"

namespace lockstep {

caf::behavior worker(caf::event_based_actor* self, worker_config cfg) {
  return {
    [=](const msg::job& j) {
      msg::worker_ready ready{j.epoch, j.seq, j.attempt, false, {}};
      // Skip a job of a dead run, or one another worker has started.
      if (cfg.queue->live_epoch() != j.epoch || (j.claim && j.claim->exchange(true))) {
        self->send(cfg.feeder, std::move(ready));
        return;
      }
      box output;
      try {
        output = cfg.source->materialize(j.batch);
      } catch (const std::exception& e) {
        ready.failed = true;
        ready.error = e.what();
        self->send(cfg.feeder, std::move(ready));
        return;
      }
      self->send(cfg.collector, msg::result{j.epoch, j.seq, std::move(output), j.state_after});
      self->send(cfg.feeder, std::move(ready));
    },
  };
}

}  // namespace lockstep
