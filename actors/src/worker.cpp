#include "lockstep/detail/worker.hpp"

#include <exception>

#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

bool skip_job(const run_channel& channel, const msg::job& j) {
  return !channel.live(j.epoch) || (j.claim && j.claim->exchange(true));
}

msg::worker_actor::behavior_type worker(msg::worker_actor::pointer self, worker_config cfg) {
  return {
    [=](const msg::job& j) {
      msg::worker_ready ready{j.epoch, j.seq, j.attempt, false, false, {}};
      if (skip_job(*cfg.channel, j)) {
        self->send(cfg.feeder, std::move(ready));
        return;
      }
      box output;
      try {
        output = cfg.source->materialize(j.batch);
      } catch (const permanent_error& e) {
        ready.failed = ready.permanent = true;
        ready.error = e.what();
      } catch (const std::exception& e) {
        ready.failed = true;
        ready.error = e.what();
      }
      if (!ready.failed)
        self->send(cfg.collector, msg::result{j.epoch, j.seq, std::move(output), j.state_after});
      self->send(cfg.feeder, std::move(ready));
    },
  };
}

}  // namespace lockstep::detail
