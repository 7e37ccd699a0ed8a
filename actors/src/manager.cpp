#include "lockstep/actors/manager.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/send.hpp>

#include "lockstep/actors/collector.hpp"
#include "lockstep/actors/feeder.hpp"
#include "lockstep/actors/worker.hpp"
#include "lockstep/messages/messages.hpp"

namespace lockstep {

namespace {

using self_ptr = caf::stateful_actor<manager_state>*;
using node_link = manager_state::node_link;

void log(self_ptr self, event_level level, const std::string& line) {
  if (self->state.cfg.log)
    self->state.cfg.log(level, line);
}

bool materializes_inline(const manager_config& cfg) {
  return cfg.local_workers == 0 && cfg.nodes.empty();
}

// Arms the no-worker timeout when a run has no worker to go to.
void check_pool(self_ptr self) {
  auto& st = self->state;
  ++st.pool_generation;
  if (st.run_epoch != 0 && st.workers.empty() && !materializes_inline(st.cfg))
    self->delayed_send(self, st.cfg.no_worker_timeout, msg::no_worker_check{st.pool_generation});
}

void pool_changed(self_ptr self) {
  auto& st = self->state;
  auto pool = st.workers.size();
  if (st.cfg.queue->set_pool(pool, st.cfg.buffer.value_or(2 * pool + 1)))
    self->send(st.feeder, msg::credit_returned{st.cfg.queue->live_epoch()});
  check_pool(self);
}

void add_worker(self_ptr self, caf::actor w, std::optional<std::size_t> node) {
  auto& st = self->state;
  self->monitor(w);
  st.workers.emplace(w.address(), manager_state::member{w, node});
  auto slots = node ? st.cfg.remote_prefetch : st.cfg.local_prefetch;
  self->send(st.feeder, msg::worker_joined{w, node.has_value(), static_cast<std::uint32_t>(slots)});
}

void spawn_local_worker(self_ptr self) {
  auto& st = self->state;
  worker_config wc{st.cfg.source, st.cfg.queue, st.feeder, st.collector};
  add_worker(self,
             st.cfg.detach ? self->spawn<caf::detached>(worker, std::move(wc))
                           : self->spawn(worker, std::move(wc)),
             std::nullopt);
}

// Answers the clients waiting for every node's first attempt.
void settle(self_ptr self) {
  auto& st = self->state;
  for (auto& n : st.nodes)
    if (!n.tried)
      return;
  msg::node_report report;
  for (auto& n : st.nodes)
    if (n.state == node_link::phase::refused) {
      report.code = n.code;
      report.refusals.push_back(n.last_error);
    }
  for (auto& rp : st.awaiting_nodes)
    rp.deliver(report);
  st.awaiting_nodes.clear();
}

void connect(self_ptr self, std::size_t i);

// A transient failure: try again later.
void retry_later(self_ptr self, std::size_t i, std::string error) {
  auto& n = self->state.nodes[i];
  auto name = self->state.cfg.nodes[i].name();
  if (error != n.last_error || !n.tried)
    log(self, event_level::warning, "node " + name + ": " + error + "; trying again every "
                       + std::to_string(self->state.cfg.reconnect_interval.count()) + " ms");
  n.state = node_link::phase::waiting;
  n.code = errc::node_unreachable;
  n.last_error = std::move(error);
  n.tried = true;
  self->delayed_send(self, self->state.cfg.reconnect_interval, msg::reconnect{i});
  settle(self);
}

// A refusal that a retry would not change. The first attempt's refusals
// reach the client as an exception; later ones only the log.
void refused(self_ptr self, std::size_t i, errc code, std::string error) {
  auto& n = self->state.nodes[i];
  if (n.tried)
    log(self, event_level::error, error);
  n.state = node_link::phase::refused;
  n.code = code;
  n.last_error = std::move(error);
  n.tried = true;
  settle(self);
}

void welcome(self_ptr self, std::size_t i, msg::node_welcome& w) {
  auto& st = self->state;
  auto name = st.cfg.nodes[i].name();
  if (w.protocol != msg::protocol_version)
    return refused(self, i, errc::version_mismatch,
                   "node " + name + ": protocol version mismatch: the node speaks version "
                     + std::to_string(w.protocol) + ", this manager speaks version "
                     + std::to_string(msg::protocol_version));
  if (!w.error.empty())
    return refused(self, i, w.code, "node " + name + ": " + w.error);
  auto& n = st.nodes[i];
  n.state = node_link::phase::connected;
  n.tried = true;
  n.last_error.clear();
  n.workers = w.workers.size();
  for (auto& worker : w.workers)
    add_worker(self, worker, i);
  log(self, event_level::info, "node " + name + " joined with " + std::to_string(w.workers.size())
                     + " workers");
  pool_changed(self);
  settle(self);
}

void connect(self_ptr self, std::size_t i) {
  auto& st = self->state;
  st.nodes[i].state = node_link::phase::connecting;
  auto addr = st.cfg.nodes[i];
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, st.cfg.connect_timeout, caf::connect_atom::value, addr.host, addr.port)
    .then(
      [self, i](const caf::node_id&, caf::strong_actor_ptr& published,
                const std::set<std::string>&) {
        auto& st = self->state;
        if (!published)
          return retry_later(self, i, "nothing is published on that port");
        auto node_actor = caf::actor_cast<caf::actor>(published);
        msg::node_hello hello{msg::protocol_version, st.cfg.token,
                              std::string{st.cfg.source->name()},
                              st.cfg.source->params_json().value_or("null"), st.feeder};
        self->request(node_actor, st.cfg.connect_timeout, std::move(hello))
          .then([self, i](msg::node_welcome& w) { welcome(self, i, w); },
                [self, i](caf::error& e) {
                  retry_later(self, i, "no answer to the handshake ("
                                         + self->system().render(e) + ")");
                });
      },
      [self, i](caf::error& e) {
        retry_later(self, i, "unreachable (" + self->system().render(e) + ")");
      });
}

void worker_down(self_ptr self, caf::down_msg& down) {
  auto& st = self->state;
  auto i = st.workers.find(down.source);
  if (i == st.workers.end())
    return;
  auto node = i->second.node;
  st.workers.erase(i);
  st.cfg.queue->count_worker_lost();
  auto reason = caf::to_string(down.reason);
  // A lost link is not the job's fault; a worker that died of its job is.
  bool link_lost = down.reason == caf::exit_reason::remote_link_unreachable;
  self->send(st.feeder, msg::worker_lost{down.source, !link_lost, reason});
  if (!node) {
    spawn_local_worker(self);
  } else {
    auto& n = st.nodes[*node];
    if (--n.workers == 0 && n.state == node_link::phase::connected) {
      log(self, event_level::warning, "node " + st.cfg.nodes[*node].name() + " lost (" + reason
                        + "); its jobs go to other workers");
      n.state = node_link::phase::waiting;
      n.last_error = "lost (" + reason + ")";
      self->delayed_send(self, st.cfg.reconnect_interval, msg::reconnect{*node});
    }
  }
  pool_changed(self);
}

std::string nodes_summary(self_ptr self) {
  std::string out;
  auto& st = self->state;
  for (std::size_t i = 0; i < st.nodes.size(); ++i)
    out += "; node " + st.cfg.nodes[i].name() + ": "
           + (st.nodes[i].last_error.empty() ? "no workers" : st.nodes[i].last_error);
  return out;
}

}  // namespace

caf::behavior manager(self_ptr self, manager_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.collector = self->spawn(collector, st.cfg.queue);
  feeder_config fc{st.cfg.source, st.cfg.queue, st.collector, st.cfg.retry,
                   materializes_inline(st.cfg)};
  st.feeder = st.cfg.detach && fc.materialize_inline
                ? self->spawn<caf::detached>(feeder, std::move(fc))
                : self->spawn(feeder, std::move(fc));
  st.cfg.queue->set_feeder_waker([feeder = st.feeder](std::uint64_t epoch) {
    caf::anon_send(feeder, msg::credit_returned{epoch});
  });
  for (std::size_t i = 0; i < st.cfg.local_workers; ++i)
    spawn_local_worker(self);
  pool_changed(self);
  st.nodes.resize(st.cfg.nodes.size());
  for (std::size_t i = 0; i < st.nodes.size(); ++i)
    connect(self, i);

  self->set_down_handler([self](caf::down_msg& down) { worker_down(self, down); });
  self->set_exit_handler([self](caf::exit_msg& x) {
    auto& st = self->state;
    st.cfg.queue->set_feeder_waker(nullptr);
    for (auto& [addr, w] : st.workers)
      if (!w.node)  // a node ends its workers when the feeder goes
        self->send_exit(w.actor, x.reason);
    self->send_exit(st.feeder, x.reason);
    self->send_exit(st.collector, x.reason);
    self->quit(x.reason);
  });
  return {
    [self](const msg::start_cmd& x) {
      auto& st = self->state;
      st.run_epoch = x.epoch;
      self->send(st.collector, msg::begin_run{x.epoch, {}});
      self->send(st.feeder, msg::begin_run{x.epoch, x.start_state});
      check_pool(self);
    },
    [self](const msg::stop_cmd& x) {
      auto& st = self->state;
      if (st.run_epoch == x.epoch)
        st.run_epoch = 0;
      self->send(st.collector, msg::halt_run{x.epoch});
      self->send(st.feeder, msg::halt_run{x.epoch});
    },
    [self](const msg::reconnect& x) {
      auto& st = self->state;
      if (x.index < st.nodes.size() && st.nodes[x.index].state == node_link::phase::waiting)
        connect(self, x.index);
    },
    [self](const msg::no_worker_check& x) {
      auto& st = self->state;
      if (x.generation != st.pool_generation || st.run_epoch == 0 || !st.workers.empty())
        return;
      self->send(st.collector,
                 msg::run_failed{st.run_epoch, errc::no_workers,
                                 "no worker was available for "
                                   + std::to_string(st.cfg.no_worker_timeout.count()) + " ms"
                                   + nodes_summary(self)});
    },
    [self](const msg::await_nodes&) {
      self->state.awaiting_nodes.push_back(self->make_response_promise());
      settle(self);
    },
  };
}

}  // namespace lockstep
