#include "lockstep/actors/collector.hpp"

#include "lockstep/messages/messages.hpp"

namespace lockstep {

namespace {

void push_released(collector_state& st) {
  for (auto& d : st.released)
    st.queue->push(st.epoch, std::move(d));
  st.released.clear();
}

void flush(collector_state& st) {
  st.buffer.release(st.released);
  push_released(st);
}

}  // namespace

caf::behavior collector(caf::stateful_actor<collector_state>* self,
                        std::shared_ptr<client_queue> queue) {
  self->state.queue = std::move(queue);
  auto live = [self](std::uint64_t epoch) {
    return epoch != 0 && epoch == self->state.epoch;
  };
  return {
    [=](const msg::begin_run& x) {
      self->state.epoch = x.epoch;
      self->state.buffer.reset();
    },
    [=](const msg::halt_run& x) {
      if (live(x.epoch)) {
        self->state.epoch = 0;
        self->state.buffer.reset();
      }
    },
    [=](const msg::result& x) {
      if (!live(x.epoch))
        return;
      self->state.buffer.put(delivery::batch(x.seq, x.output, x.state_after));
      flush(self->state);
    },
    [=](const msg::batch_failed& x) {
      if (!live(x.epoch))
        return;
      self->state.buffer.put(
        delivery::failure(x.seq, errc::batch_failed, x.error, x.attempts));
      flush(self->state);
    },
    [=](const msg::run_end& x) {
      if (!live(x.epoch))
        return;
      self->state.buffer.put(delivery::end(x.seq));
      flush(self->state);
    },
    [=](const msg::run_failed& x) {
      if (!live(x.epoch))
        return;
      self->state.buffer.fail_now(delivery::failure(0, x.code, x.error, 0),
                                  self->state.released);
      push_released(self->state);
    },
  };
}

}  // namespace lockstep
