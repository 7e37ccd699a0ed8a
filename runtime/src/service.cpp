#include "lockstep/detail/service.hpp"

#include <algorithm>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "lockstep/detail/logger.hpp"
#include "lockstep/detail/manager.hpp"
#include "lockstep/detail/node_process.hpp"
#include "lockstep/detail/system_config.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

namespace {

caf::actor_system_config make_system_config(const config& cfg) {
  caf::actor_system_config sys_cfg;
  network_settings net{cfg.remote.heartbeat_interval, cfg.remote.connection_timeout};
  configure(sys_cfg, cfg.scheduler_threads, cfg.remote.used() ? &net : nullptr, true);
  return sys_cfg;
}

// Starts the configured node processes; they end with the service. A
// spawned node that exits on its own is started again on its port, at most
// r.spawn_restarts times, so that one crash does not shrink the pool for good.
std::vector<node_process> start_nodes(const remote_config& r) {
  std::vector<node_process> nodes;
  auto timeout = std::max(r.connect_timeout, std::chrono::milliseconds{10000});
  auto argv_for = [&r](const std::string& listen) {
    std::vector<std::string> argv{r.node_program, "node",        "--listen",
                                  listen,         "--log-level", "warning"};
    if (r.node_workers > 0) {
      argv.push_back("--workers");
      argv.push_back(std::to_string(r.node_workers));
    }
    return argv;
  };
  for (std::size_t i = 0; i < r.spawn; ++i)
    nodes.push_back(
      node_process::spawn(argv_for("127.0.0.1:0"), timeout, {r.spawn_restarts, argv_for}));
  for (auto& command : r.launch)
    nodes.push_back(node_process::launch(command, timeout));
  return nodes;
}

// Every node once: a node listed twice would serve the run twice over one
// link, and each session would end the other's.
std::vector<node_address> node_addresses(const remote_config& r,
                                         const std::vector<node_process>& processes) {
  std::vector<std::string> names = r.nodes;
  for (auto& p : processes)
    names.push_back(p.address());
  std::vector<node_address> out;
  for (auto& n : names) {
    auto a = parse_node_address(n);
    auto same = [&](const node_address& b) { return b.host == a.host && b.port == a.port; };
    if (std::any_of(out.begin(), out.end(), same)) {
      logger().warn("node {} is listed twice; using it once", a.name());
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

manager_config make_manager_config(const std::shared_ptr<const erased_source>& source,
                                   const std::shared_ptr<run_channel>& channel, const config& cfg,
                                   const std::vector<node_process>& processes) {
  manager_config mc;
  mc.source = source;
  mc.channel = channel;
  mc.local_workers = cfg.workers;
  mc.retry = cfg.retry;
  mc.local_prefetch = cfg.worker_prefetch;
  mc.rampup = cfg.rampup;
  mc.stuck_after = cfg.stuck_after;
  mc.hedge = cfg.hedge;
  mc.max_hedges = cfg.max_hedges;
  mc.hedge_after = cfg.hedge_after;
  auto& r = cfg.remote;
  mc.nodes = node_addresses(r, processes);
  mc.token = r.token;
  mc.remote_prefetch = r.prefetch;
  mc.shm_bytes = r.shm_bytes;
  mc.connect_timeout = r.connect_timeout;
  mc.reconnect_interval = r.reconnect_interval;
  mc.no_worker_timeout = r.no_worker_timeout;
  mc.log = actor_events();
  return mc;
}

// What remote nodes need of a source, checked before anything starts.
void check_remote(const erased_source& source) {
  if (!source.params_json())
    throw error(errc::invalid_config,
                "source \"" + std::string{source.name()}
                  + "\" has no params() to send to remote nodes, so it cannot use them");
  (void)source.outputs();  // throws when the outputs cannot cross
}

}  // namespace

struct service::impl {
  impl(std::shared_ptr<const erased_source> src, const config& c, bool in_order)
      : source(std::move(src)),
        channel(std::make_shared<run_channel>(c.buffer, c.buffer_bytes, in_order)),
        processes(start_nodes(c.remote)),
        sys_cfg(make_system_config(c)),
        system(sys_cfg),
        connect_timeout(c.remote.connect_timeout),
        local_workers(c.workers) {
    manager_actor = system.spawn(manager, make_manager_config(source, channel, c, processes));
  }

  ~impl() {
    channel->stop();
    caf::anon_send_exit(manager_actor, caf::exit_reason::user_shutdown);
  }

  // Waits for the first round (every node joined, refused, or still failing
  // at connect_timeout); throws for a refusal (version, token, source) since
  // retrying would not change it. A node refused for
  // its data (other data, none) is left out while other workers remain.
  void check_nodes() {
    caf::scoped_actor self{system};
    // The round's deadline, then an attempt begun just before it: its dial
    // (up to 3 × connect_timeout) and handshake (1 ×).
    auto limit = connect_timeout * 5 + std::chrono::seconds{5};
    msg::node_report report;
    self->request(manager_actor, limit, msg::await_nodes{})
      .receive([&](msg::node_report& r) { report = std::move(r); },
               [&](caf::error& e) {
                 throw error(errc::node_unreachable,
                             "the nodes did not answer in time: " + system.render(e));
               });
    auto joined = [](const std::vector<std::string>& lines) {
      std::string why;
      for (auto& r : lines)
        why += (why.empty() ? "" : "; ") + r;
      return why;
    };
    if (!report.refusals.empty())
      throw error(report.code, joined(report.refusals));
    if (report.skipped.empty())
      return;
    if (local_workers + report.joined_workers == 0)
      throw error(report.skipped_code, joined(report.skipped));
    for (auto& r : report.skipped)
      logger().error("{}; the run goes on without it", r);
  }

  // Opens a run at `state` (an owned copy). client_mtx held.
  void begin_run(const_box state) {
    auto epoch = channel->open();
    expected = state;
    logger().info("started run {} at state {}", epoch, source->describe_state(state));
    caf::anon_send(manager_actor, msg::start_cmd{epoch, std::move(state)});
  }

  void halt() {
    auto epoch = channel->live_epoch();
    if (channel->stop()) {
      logger().info("stopped run {}", epoch);
      caf::anon_send(manager_actor, msg::stop_cmd{epoch});
    }
  }

  // Makes the run stand at `state`: starts one where there is none, restarts
  // on a mismatch. False when the run stands there and has ended: the take
  // returns the end again. client_mtx held.
  bool stand_at(const const_box& state) {
    auto status = channel->status().status;
    if (status != run_status::running && status != run_status::done) {
      begin_run(source->copy_state(state));
      return true;
    }
    if (!source->equal_states(state, expected)) {
      logger().warn("take() with a state the batcher does not stand at: restarting from it");
      halt();
      begin_run(source->copy_state(state));
      return true;
    }
    return status == run_status::running;
  }

  // The live run's next delivery: a batch, the end, or its failure, thrown.
  // client_mtx held.
  std::optional<taken> deliver(const const_box& state) {
    auto epoch = channel->live_epoch();
    auto next = channel->pop(epoch);
    if (!next)
      throw error(errc::stopped, "the batcher was stopped while take() waited");
    switch (next->what) {
      case delivery::kind::batch:
        channel->note_delivered_bytes(source->output_bytes(next->output));
        expected = next->state_after;
        return taken{std::move(next->output), std::move(next->state_after)};
      case delivery::kind::end:
        channel->mark_done();
        return std::nullopt;
      case delivery::kind::failure:
        break;
    }
    if (next->code == errc::batch_failed) {
      batch_error e{source->describe_state(state), next->error, next->attempts};
      fail(epoch, e);
      throw e;
    }
    error e{next->code, next->error};
    fail(epoch, e);
    throw e;
  }

  // The run is over: close it so nothing more is materialized for it. The
  // exception reports the failure; the log only marks the run's end.
  void fail(std::uint64_t epoch, const error& e) {
    logger().info("run {} failed", epoch);
    channel->close(run_status::failed, e.what());
    caf::anon_send(manager_actor, msg::stop_cmd{epoch});
  }

  // A job run's next result. client_mtx held.
  std::optional<delivery> next_finished() {
    auto epoch = channel->live_epoch();
    auto next = channel->pop(epoch);
    if (!next)
      throw error(errc::stopped, "the job was stopped while it waited for a result");
    switch (next->what) {
      case delivery::kind::batch:
        channel->note_delivered_bytes(source->output_bytes(next->output));
        return next;
      case delivery::kind::end:
        channel->mark_done();
        return std::nullopt;
      case delivery::kind::failure:
        break;
    }
    if (next->code == errc::batch_failed && next->attempts > 0)
      return next;  // one batch failed: the job decides
    // iterate failed (attempts 0) or no worker is left: the run cannot go on.
    error e{next->code, next->error};
    fail(epoch, e);
    throw e;
  }

  std::shared_ptr<const erased_source> source;
  std::shared_ptr<run_channel> channel;
  std::vector<node_process> processes;  // outlive the actor system that uses them
  caf::actor_system_config sys_cfg;
  caf::actor_system system;
  std::chrono::milliseconds connect_timeout;
  std::size_t local_workers;
  msg::manager_actor manager_actor;
  std::mutex client_mtx;  // one start or take at a time
  const_box expected;     // the state the run stands at
};

service::service(std::shared_ptr<const erased_source> source, const config& cfg,
                 bool in_order) {
  cfg.validate();
  if (cfg.tune_allocator)
    tune_allocator();
  if (cfg.remote.used())
    check_remote(*source);
  impl_ = std::make_unique<impl>(std::move(source), cfg, in_order);
  impl_->check_nodes();
}

service::~service() = default;

void service::start(const const_box& state) {
  std::lock_guard<std::mutex> guard{impl_->client_mtx};
  if (impl_->channel->status().status == run_status::running) {
    logger().warn("start() on a running batcher changes nothing");
    return;
  }
  impl_->begin_run(impl_->source->copy_state(state));
}

void service::stop() {
  impl_->halt();
}

void service::pause() {
  impl_->channel->pause();
  logger().info("paused");
}

void service::set_workers(std::size_t n) {
  if (n > max_workers)
    throw error(errc::invalid_config, "set_workers(" + std::to_string(n) + "): at most "
                                        + std::to_string(max_workers) + " workers are supported");
  logger().info("local workers: {}", n);
  caf::anon_send(impl_->manager_actor, msg::set_workers_cmd{n});
}

void service::resume() {
  impl_->channel->resume();
  logger().info("resumed");
}

std::optional<taken> service::take(const const_box& state) {
  std::lock_guard<std::mutex> guard{impl_->client_mtx};
  if (!impl_->stand_at(state))
    return std::nullopt;
  return impl_->deliver(state);
}

std::optional<delivery> service::next() {
  std::lock_guard<std::mutex> guard{impl_->client_mtx};
  return impl_->next_finished();
}

status_report service::status() const {
  return impl_->channel->status();
}

run_stats service::stats() const {
  return impl_->channel->stats();
}

std::size_t service::pool_size() const {
  return impl_->channel->pool_size();
}

std::size_t service::buffer() const {
  return impl_->channel->buffer();
}

std::size_t service::window() const {
  return impl_->channel->window_now();
}

}  // namespace lockstep::detail
