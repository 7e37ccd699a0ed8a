#include "lockstep/detail/collector.hpp"

namespace lockstep::detail {

namespace {

void push_released(collector_state& st) {
  st.channel->push(st.epoch, st.released);
  st.released.clear();
}

void put(collector_state& st, std::uint64_t epoch, delivery d) {
  if (epoch != st.epoch)
    return;
  st.buffer.put(std::move(d));
  st.buffer.release(st.released);
  push_released(st);
}

void put_outputs(collector_state& st, msg::result& x) {
  if (x.epoch != st.epoch)
    return;
  for (auto& o : x.outputs)
    st.buffer.put(delivery::batch(o.seq, std::move(o.output), std::move(o.state_after)));
  st.buffer.release(st.released);
  push_released(st);
}

}  // namespace

msg::collector_actor::behavior_type collector(
  msg::collector_actor::stateful_pointer<collector_state> self,
  std::shared_ptr<run_channel> channel) {
  self->state.channel = std::move(channel);
  return {
    [=](const msg::feeder_hello& x) { self->state.feeder = x.feeder; },
    [=](const msg::begin_run& x) {
      self->state.epoch = x.epoch;
      self->state.buffer.reset(self->state.channel->in_order());
    },
    [=](msg::result& x) {
      auto& st = self->state;
      put_outputs(st, x);
      self->send(st.feeder, msg::worker_ready{x.worker, x.epoch, x.seq, x.attempt,
                                              std::move(x.failures), x.busy_ns, x.items});
    },
    [=](const msg::batch_failed& x) {
      put(self->state, x.epoch, delivery::failure(x.seq, errc::batch_failed, x.error, x.attempts));
    },
    [=](const msg::run_end& x) { put(self->state, x.epoch, delivery::end(x.seq)); },
    [=](const msg::run_failed& x) {
      auto& st = self->state;
      if (x.epoch != st.epoch)
        return;
      st.buffer.fail_now(delivery::failure(0, x.code, x.error, 0), st.released);
      push_released(st);
    },
  };
}

}  // namespace lockstep::detail
