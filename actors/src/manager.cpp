#include "lockstep/detail/manager.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/send.hpp>

#include "lockstep/detail/collector.hpp"
#include "lockstep/detail/feeder.hpp"
#include "lockstep/detail/node_gate.hpp"
#include "lockstep/detail/remote_proxy.hpp"
#include "lockstep/detail/shm_ring.hpp"
#include "lockstep/detail/worker.hpp"
#include "lockstep/messages/errors.hpp"

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
    counted += w.counted && !w.retiring ? 1 : 0;
  st.cfg.channel->set_pool(counted);
  check_pool(self);
}

// A local worker takes chunks of any length; a remote one, a batch a job.
void add_worker(self_ptr self, msg::worker_actor w, std::size_t slots,
                std::optional<std::size_t> node, bool counted = true) {
  auto& st = self->state;
  self->monitor(w);
  st.workers.emplace(w.address(),
                     manager_state::member{caf::actor_cast<caf::actor>(w), node, counted});
  std::uint32_t max_items = node ? 1 : UINT32_MAX;
  std::string name = node ? st.cfg.nodes.at(*node).name() : std::string{};
  self->send(st.feeder,
             msg::worker_joined{w, static_cast<std::uint32_t>(slots), max_items, std::move(name)});
}

void spawn_local_worker(self_ptr self, bool counted) {
  auto& st = self->state;
  worker_config wc{st.cfg.source, st.cfg.channel, st.collector};
  auto w = st.cfg.detach ? self->spawn<caf::detached>(worker, std::move(wc))
                         : self->spawn(worker, std::move(wc));
  add_worker(self, w, st.cfg.local_prefetch, std::nullopt, counted);
}

// The local pool holds `n` counted workers from now on (with 0 and no
// nodes, the stand-in): new ones at once, extra ones retired.
void resize_local(self_ptr self, std::size_t n) {
  auto& st = self->state;
  std::vector<caf::actor_addr> counted, stand_ins;
  for (auto& [addr, w] : st.workers)
    if (!w.node && !w.retiring)
      (w.counted ? counted : stand_ins).push_back(addr);
  auto retire = [&](const caf::actor_addr& addr) {
    st.workers.at(addr).retiring = true;
    self->send(st.feeder, msg::retire_worker{addr});
  };
  for (auto k = counted.size(); k < n; ++k)
    spawn_local_worker(self, true);
  for (auto k = n; k < counted.size(); ++k)
    retire(counted[k]);
  bool stand_in = n == 0 && st.cfg.nodes.empty();
  if (stand_in && stand_ins.empty())
    spawn_local_worker(self, false);
  if (!stand_in)
    for (auto& addr : stand_ins)
      retire(addr);
  pool_changed(self);
}

std::size_t local_counted(const manager_state& st) {
  std::size_t n = 0;
  for (auto& [addr, w] : st.workers)
    n += !w.node && w.counted && !w.retiring ? 1 : 0;
  return n;
}

void next_rampup_step(self_ptr self) {
  auto& st = self->state;
  if (local_counted(st) >= st.ramp_target)
    return;
  self->delayed_send(self, st.cfg.rampup / (st.ramp_target - 1),
                     msg::rampup_step{st.ramp_generation});
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

// One ring per worker of a node that mapped the segment, split as the node
// split it. A node claiming more workers than the segment has room for is
// refused: its rings, and so its slots, cannot be the ones this side reads.
std::vector<std::shared_ptr<shm_ring>> rings_for(msg::node_welcome& w,
                                                 const std::shared_ptr<shm_segment>& shm) {
  std::vector<std::shared_ptr<shm_ring>> rings;
  if (!shm || !w.shm || !w.error.empty())
    return rings;
  try {
    for (std::size_t k = 0; k < w.workers.size(); ++k)
      rings.push_back(std::make_shared<shm_ring>(shm, shm->region_of(w.workers.size(), k)));
  } catch (const lockstep::error&) {
    rings.clear();
    w.code = errc::io_error;
    w.error = "its " + std::to_string(w.workers.size()) + " workers cannot share "
              + std::to_string(shm->size()) + " bytes of shared memory";
  }
  return rings;
}

void welcome(self_ptr self, std::size_t i, msg::node_welcome w,
             const std::shared_ptr<shm_segment>& shm = nullptr) {
  auto& st = self->state;
  std::optional<note> n;
  auto rings = rings_for(w, shm);
  if (st.links.welcome(i, w, n)) {
    for (std::size_t k = 0; k < w.workers.size(); ++k) {
      remote_proxy_config pc{st.cfg.source, st.cfg.channel, st.collector,
                             caf::actor_cast<msg::remote_worker_actor>(w.workers[k]), nullptr};
      if (!rings.empty())
        pc.ring = rings[k];
      add_worker(self, self->spawn(remote_proxy, std::move(pc)), st.cfg.remote_prefetch, i);
    }
    pool_changed(self);
  }
  log(self, n);
  settle(self);
}

using dial_atom = caf::atom_constant<caf::atom("dial")>;

// One connection attempt, on a thread of its own (connecting blocks): TCP,
// lockstep's preamble, then CAF's handshake on the same socket. Answers
// (0, "", node, published actor) on success, (errc, why, {}, null) for a
// refusal or a failure (errc::node_unreachable: worth a retry). It takes its
// target at spawn: CAF 0.17 spawning a function actor with no arguments binds a
// reference to a null pointer (undefined behaviour UBSan reports).
caf::behavior dialer(caf::event_based_actor* self, std::string host, std::uint16_t port,
                     std::string token, caf::timespan timeout) {
  using reply = caf::result<std::uint32_t, std::string, caf::node_id, caf::strong_actor_ptr>;
  return {
    [self, host, port, token, timeout](dial_atom) -> reply {
      auto unreachable = static_cast<std::uint32_t>(errc::node_unreachable);
      preamble_answer refusal{};
      std::string why;
      int fd =
        dial_node(host, port, token, std::chrono::duration_cast<std::chrono::milliseconds>(timeout),
                  refusal, why);
      if (fd < 0) {
        self->quit();
        if (refusal == preamble_answer::welcome)
          return {unreachable, "unreachable (" + why + ")", caf::node_id{}, nullptr};
        auto code = refusal == preamble_answer::version_refused ? errc::version_mismatch
                                                                : errc::not_authorized;
        return {static_cast<std::uint32_t>(code), why, caf::node_id{}, nullptr};
      }
      auto& mm = self->system().middleman();
      auto scribe = mm.backend().new_scribe(fd);
      auto broker = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
      auto rp = self->make_response_promise<std::uint32_t, std::string, caf::node_id,
                                            caf::strong_actor_ptr>();
      self->request(broker, timeout, caf::connect_atom::value, std::move(scribe), port)
        .then(
          [self, rp](caf::node_id& nid, caf::strong_actor_ptr& published,
                     std::set<std::string>&) mutable {
            rp.deliver(std::uint32_t{0}, std::string{}, std::move(nid), std::move(published));
            self->quit();
          },
          [self, rp, unreachable](caf::error& e) mutable {
            rp.deliver(unreachable, "no CAF handshake (" + self->system().render(e) + ")",
                       caf::node_id{}, caf::strong_actor_ptr{});
            self->quit();
          });
      return rp;
    },
  };
}

// The shared memory offered to a node, or null when it is off or this host
// has none to give (then outputs travel on the socket, as to another host).
std::shared_ptr<shm_segment> offer_shm(self_ptr self) {
  auto& st = self->state;
  if (st.cfg.shm_bytes == 0)
    return nullptr;
  try {
    return shm_segment::create(st.cfg.shm_bytes);
  } catch (const std::exception& e) {
    // Said once: what failed here (a full /dev/shm) will fail for the next node too.
    st.cfg.shm_bytes = 0;
    log(self, note{event_level::warning,
                   std::string{"nodes on this host send outputs on the socket: "} + e.what()
                     + " (remote.shm_bytes sets the size, 0 turns it off)"});
    return nullptr;
  }
}

void hello(self_ptr self, std::size_t i, caf::strong_actor_ptr published) {
  auto& st = self->state;
  if (!published)
    return unreachable(self, i, "nothing is published on that port");
  auto node_handle = caf::actor_cast<msg::node_actor>(published);
  auto shm = offer_shm(self);
  msg::node_hello hello{msg::protocol_version,
                        st.cfg.token,
                        std::string{st.cfg.source->name()},
                        st.cfg.source->params_json().value_or("null"),
                        std::string{st.cfg.source->output_type_name()},
                        st.cfg.source->fingerprint_json(),
                        caf::actor_cast<caf::actor>(self),
                        shm ? shm->name() : std::string{},
                        shm ? shm->nonce() : std::string{},
                        shm ? shm->size() : 0};
  // The node has mapped the segment or will not: its name is not needed
  // once the node answers, so it never outlives the two processes.
  self->request(node_handle, st.cfg.connect_timeout, std::move(hello))
    .then(
      [self, i, shm](const msg::node_welcome& w) {
        if (shm)
          shm->unlink();
        welcome(self, i, w, shm);
      },
      [self, i, shm](caf::error& e) {
        if (shm)
          shm->unlink();
        unreachable(self, i, "no answer to the handshake (" + self->system().render(e) + ")");
      });
}

void connect(self_ptr self, std::size_t i) {
  auto& st = self->state;
  st.links.connecting(i);
  auto addr = st.links.address(i);
  auto d = self->spawn<caf::detached>(dialer, addr.host, addr.port, st.cfg.token,
                                       caf::timespan{st.cfg.connect_timeout});
  // The dialer bounds each step by the connect timeout; this bounds them all.
  self->request(d, st.cfg.connect_timeout * 3, dial_atom::value)
    .then(
      [self, i](std::uint32_t code, std::string& why, const caf::node_id&,
                caf::strong_actor_ptr& published) {
        if (code == 0)
          return hello(self, i, std::move(published));
        if (code == static_cast<std::uint32_t>(errc::node_unreachable))
          return unreachable(self, i, why);
        // A refusal at the preamble is final, as one at the node's handshake.
        welcome(self, i,
                msg::node_welcome{msg::protocol_version, static_cast<errc>(code), why, {}});
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
  if (member.retiring && down.reason == caf::exit_reason::user_shutdown) {
    pool_changed(self);  // retired: it reported everything it held
    return;
  }
  st.cfg.channel->count_worker_lost();
  auto reason = caf::to_string(down.reason);
  self->send(st.feeder,
             msg::worker_lost{down.source, death_counts_as_attempt(down.reason), reason});
  if (!member.node) {
    if (!member.retiring)
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
    self->spawn(feeder, [&] {
      feeder_config fc{st.cfg.source, st.cfg.channel, st.collector, st.cfg.retry};
      if (st.cfg.stuck_after)
        fc.stuck_after = *st.cfg.stuck_after;
      fc.hedge = st.cfg.hedge;
      fc.max_hedges = st.cfg.max_hedges;
      if (st.cfg.hedge_after)
        fc.hedge_after = *st.cfg.hedge_after;
      fc.log = st.cfg.log;
      return fc;
    }());
  st.cfg.channel->set_waker([feeder = st.feeder](std::uint64_t epoch) {
    caf::anon_send(feeder, msg::credit_returned{epoch});
  });
  if (st.cfg.local_workers == 0 && st.cfg.nodes.empty())
    spawn_local_worker(self, false);  // the stand-in
  auto first = st.cfg.local_workers;
  if (st.cfg.rampup.count() > 0 && first > 1) {
    st.ramp_target = first;
    first = 1;
  }
  for (std::size_t i = 0; i < first; ++i)
    spawn_local_worker(self, true);
  pool_changed(self);
  if (st.ramp_target > 0)
    next_rampup_step(self);
  for (std::size_t i = 0; i < st.links.size(); ++i)
    connect(self, i);
  if (!st.cfg.nodes.empty())
    self->delayed_send(self, st.cfg.connect_timeout, msg::nodes_deadline{});

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
    [self](msg::nodes_deadline) {
      self->state.links.deadline_passed();
      settle(self);
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
    [self](const msg::set_workers_cmd& x) {
      ++self->state.ramp_generation;  // an explicit count ends a ramp
      resize_local(self, x.workers);
    },
    [self](const msg::rampup_step& x) {
      auto& st = self->state;
      if (x.generation != st.ramp_generation)
        return;
      resize_local(self, local_counted(st) + 1);
      next_rampup_step(self);
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
