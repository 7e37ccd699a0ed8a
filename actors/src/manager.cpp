#include "lockstep/actors/manager.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "lockstep/actors/collector.hpp"
#include "lockstep/actors/feeder.hpp"
#include "lockstep/actors/worker.hpp"
#include "lockstep/messages/messages.hpp"

namespace lockstep {

namespace {

using self_ptr = caf::stateful_actor<manager_state>*;

void update_window(self_ptr self) {
  auto& st = self->state;
  if (st.cfg.queue->set_pool(st.workers.size(), st.cfg.buffer))
    self->send(st.feeder, msg::credit_returned{st.cfg.queue->live_epoch()});
}

void spawn_worker(self_ptr self) {
  auto& st = self->state;
  worker_config wc{st.cfg.source, st.cfg.queue, st.feeder, st.collector};
  auto w = st.cfg.detach ? self->spawn<caf::detached>(worker, std::move(wc))
                         : self->spawn(worker, std::move(wc));
  self->monitor(w);
  st.workers.emplace(w.address(), w);
  self->send(st.feeder, msg::worker_joined{w});
}

}  // namespace

caf::behavior manager(self_ptr self, manager_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.collector = self->spawn(collector, st.cfg.queue);
  feeder_config fc{st.cfg.source, st.cfg.queue, st.collector, st.cfg.retry,
                   st.cfg.local_workers == 0, st.cfg.slots_per_worker};
  st.feeder = st.cfg.detach && fc.materialize_inline
                ? self->spawn<caf::detached>(feeder, std::move(fc))
                : self->spawn(feeder, std::move(fc));
  st.cfg.queue->set_feeder_waker([feeder = st.feeder](std::uint64_t epoch) {
    caf::anon_send(feeder, msg::credit_returned{epoch});
  });
  for (std::size_t i = 0; i < st.cfg.local_workers; ++i)
    spawn_worker(self);
  update_window(self);

  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    auto i = st.workers.find(down.source);
    if (i == st.workers.end())
      return;
    st.workers.erase(i);
    st.cfg.queue->count_worker_lost();
    self->send(st.feeder, msg::worker_lost{down.source, true, caf::to_string(down.reason)});
    spawn_worker(self);
    update_window(self);
  });
  self->set_exit_handler([self](caf::exit_msg& x) {
    auto& st = self->state;
    st.cfg.queue->set_feeder_waker(nullptr);
    for (auto& [addr, w] : st.workers)
      self->send_exit(w, x.reason);
    self->send_exit(st.feeder, x.reason);
    self->send_exit(st.collector, x.reason);
    self->quit(x.reason);
  });
  return {
    [self](const msg::start_cmd& x) {
      auto& st = self->state;
      self->send(st.collector, msg::begin_run{x.epoch, {}});
      self->send(st.feeder, msg::begin_run{x.epoch, x.start_state});
    },
    [self](const msg::stop_cmd& x) {
      auto& st = self->state;
      self->send(st.collector, msg::halt_run{x.epoch});
      self->send(st.feeder, msg::halt_run{x.epoch});
    },
  };
}

}  // namespace lockstep
