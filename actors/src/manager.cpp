#include "lockstep/detail/manager.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/send.hpp>

#include "lockstep/detail/collector.hpp"
#include "lockstep/detail/feeder.hpp"
#include "lockstep/detail/remote_proxy.hpp"
#include "lockstep/detail/worker.hpp"

namespace lockstep::detail {

bool death_counts_as_attempt(const caf::error& reason) {
  return reason == caf::exit_reason::unhandled_exception;
}

namespace {

using self_ptr = msg::manager_actor::stateful_pointer<manager_state>;

void log(self_ptr self, const std::optional<note>& n) {
  if (n && self->state.cfg.log)
    self->state.cfg.log(n->level, n->line);
}

// Arms the no-worker timeout when a live run has no worker to go to.
void check_pool(self_ptr self) {
  auto& st = self->state;
  ++st.pool_generation;
  if (st.cfg.channel->live(st.cfg.channel->live_epoch()) && st.workers.empty())
    self->delayed_send(self, st.cfg.no_worker_timeout, msg::no_worker_check{st.pool_generation});
}

void pool_changed(self_ptr self) {
  auto& st = self->state;
  std::size_t counted = 0;
  for (auto& [addr, w] : st.workers)
    counted += w.counted ? 1 : 0;
  st.cfg.channel->set_pool(counted);
  check_pool(self);
}

void add_worker(self_ptr self, msg::worker_actor w, std::size_t slots,
                std::optional<std::size_t> node, bool counted = true) {
  auto& st = self->state;
  self->monitor(w);
  st.workers.emplace(w.address(),
                     manager_state::member{caf::actor_cast<caf::actor>(w), node, counted});
  self->send(st.feeder, msg::worker_joined{w, static_cast<std::uint32_t>(slots)});
}

void spawn_local_worker(self_ptr self, bool counted) {
  auto& st = self->state;
  worker_config wc{st.cfg.source, st.cfg.channel, st.feeder, st.collector};
  auto w = st.cfg.detach ? self->spawn<caf::detached>(worker, std::move(wc))
                         : self->spawn(worker, std::move(wc));
  add_worker(self, w, st.cfg.local_prefetch, std::nullopt, counted);
}

// Answers the clients waiting for every node's first attempt.
void settle(self_ptr self) {
  auto& st = self->state;
  auto report = st.links.settled();
  if (!report)
    return;
  for (auto& rp : st.awaiting_nodes)
    rp.deliver(*report);
  st.awaiting_nodes.clear();
}

void unreachable(self_ptr self, std::size_t i, const std::string& error) {
  auto& st = self->state;
  log(self,
      st.links.unreachable(i, error, static_cast<std::size_t>(st.cfg.reconnect_interval.count())));
  self->delayed_send(self, st.cfg.reconnect_interval, msg::reconnect{i});
  settle(self);
}

void welcome(self_ptr self, std::size_t i, const msg::node_welcome& w) {
  auto& st = self->state;
  std::optional<note> n;
  if (st.links.welcome(i, w, n)) {
    for (auto& remote : w.workers) {
      remote_proxy_config pc{st.cfg.source, st.cfg.channel, st.feeder, st.collector,
                             caf::actor_cast<msg::remote_worker_actor>(remote)};
      add_worker(self, self->spawn(remote_proxy, std::move(pc)), st.cfg.remote_prefetch, i);
    }
    pool_changed(self);
  }
  log(self, n);
  settle(self);
}

void connect(self_ptr self, std::size_t i) {
  auto& st = self->state;
  st.links.connecting(i);
  auto addr = st.links.address(i);
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, st.cfg.connect_timeout, caf::connect_atom::value, addr.host, addr.port)
    .then(
      [self, i](const caf::node_id&, caf::strong_actor_ptr& published,
                const std::set<std::string>&) {
        auto& st = self->state;
        if (!published)
          return unreachable(self, i, "nothing is published on that port");
        auto node_handle = caf::actor_cast<msg::node_actor>(published);
        msg::node_hello hello{msg::protocol_version,
                              st.cfg.token,
                              std::string{st.cfg.source->name()},
                              st.cfg.source->params_json().value_or("null"),
                              std::string{st.cfg.source->output_type_name()},
                              st.cfg.source->fingerprint_json(),
                              caf::actor_cast<caf::actor>(self)};
        self->request(node_handle, st.cfg.connect_timeout, std::move(hello))
          .then([self, i](const msg::node_welcome& w) { welcome(self, i, w); },
                [self, i](caf::error& e) {
                  unreachable(self, i,
                              "no answer to the handshake (" + self->system().render(e) + ")");
                });
      },
      [self, i](caf::error& e) {
        unreachable(self, i, "unreachable (" + self->system().render(e) + ")");
      });
}

void worker_down(self_ptr self, caf::down_msg& down) {
  auto& st = self->state;
  auto i = st.workers.find(down.source);
  if (i == st.workers.end())
    return;
  auto member = i->second;
  st.workers.erase(i);
  st.cfg.channel->count_worker_lost();
  auto reason = caf::to_string(down.reason);
  self->send(st.feeder,
             msg::worker_lost{down.source, death_counts_as_attempt(down.reason), reason});
  if (!member.node) {
    spawn_local_worker(self, member.counted);
  } else if (auto lost = st.links.worker_lost(*member.node, reason)) {
    log(self, lost);
    self->delayed_send(self, st.cfg.reconnect_interval, msg::reconnect{*member.node});
  }
  pool_changed(self);
}

}  // namespace

msg::manager_actor::behavior_type manager(self_ptr self, manager_config cfg) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.links = node_links{st.cfg.nodes};
  st.collector = self->spawn(collector, st.cfg.channel);
  st.feeder =
    self->spawn(feeder, feeder_config{st.cfg.source, st.cfg.channel, st.collector, st.cfg.retry});
  st.cfg.channel->set_waker([feeder = st.feeder](std::uint64_t epoch) {
    caf::anon_send(feeder, msg::credit_returned{epoch});
  });
  if (st.cfg.local_workers == 0 && st.cfg.nodes.empty())
    spawn_local_worker(self, false);  // the stand-in
  for (std::size_t i = 0; i < st.cfg.local_workers; ++i)
    spawn_local_worker(self, true);
  pool_changed(self);
  for (std::size_t i = 0; i < st.links.size(); ++i)
    connect(self, i);

  self->set_down_handler([self](caf::down_msg& down) { worker_down(self, down); });
  self->set_exit_handler([self](caf::exit_msg& x) {
    auto& st = self->state;
    st.cfg.channel->set_waker(nullptr);
    for (auto& [addr, w] : st.workers)
      self->send_exit(w.actor, x.reason);  // a node ends its workers when this manager goes
    self->send_exit(st.feeder, x.reason);
    self->send_exit(st.collector, x.reason);
    self->quit(x.reason);
  });
  return {
    [self](const msg::start_cmd& x) {
      auto& st = self->state;
      self->send(st.collector, msg::begin_run{x.epoch, {}});
      self->send(st.feeder, msg::begin_run{x.epoch, x.start_state});
      check_pool(self);
    },
    [self](const msg::stop_cmd& x) { self->send(self->state.feeder, msg::halt_run{x.epoch}); },
    [self](const msg::reconnect& x) {
      if (x.index < self->state.links.size() && self->state.links.reconnect_due(x.index))
        connect(self, x.index);
    },
    [self](const msg::no_worker_check& x) {
      auto& st = self->state;
      auto epoch = st.cfg.channel->live_epoch();
      if (x.generation != st.pool_generation || !st.cfg.channel->live(epoch) || !st.workers.empty())
        return;
      self->send(st.collector, msg::run_failed{epoch, errc::no_workers,
                                               "no worker was available for "
                                                 + std::to_string(st.cfg.no_worker_timeout.count())
                                                 + " ms" + st.links.summary()});
    },
    [self](const msg::await_nodes&) {
      auto rp = self->make_response_promise<msg::node_report>();
      self->state.awaiting_nodes.push_back(rp);
      settle(self);
      return rp;
    },
  };
}

}  // namespace lockstep::detail
