#include "lockstep/runtime/service.hpp"

#include <atomic>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "lockstep/actors/manager.hpp"
#include "lockstep/messages/messages.hpp"
#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/log.hpp"
#include "lockstep/runtime/node_process.hpp"
#include "system_config.hpp"

namespace lockstep {

namespace {

caf::actor_system_config make_system_config(const config& cfg) {
  caf::actor_system_config sys_cfg;
  detail::network_settings net{cfg.remote.heartbeat_interval, cfg.remote.connection_timeout};
  detail::configure(sys_cfg, cfg.scheduler_threads, cfg.remote.used() ? &net : nullptr, true);
  return sys_cfg;
}

// Starts the configured node processes; they end with the service.
std::vector<node_process> start_nodes(const remote_config& r) {
  std::vector<node_process> nodes;
  auto timeout = std::max(r.connect_timeout, std::chrono::milliseconds{10000});
  for (std::size_t i = 0; i < r.spawn; ++i) {
    std::vector<std::string> argv{r.node_program, "node", "--listen", "127.0.0.1:0",
                                  "--log-level", "warn"};
    if (r.node_workers > 0) {
      argv.push_back("--workers");
      argv.push_back(std::to_string(r.node_workers));
    }
    nodes.push_back(node_process::spawn(argv, timeout));
  }
  for (auto& command : r.launch)
    nodes.push_back(node_process::launch(command, timeout));
  return nodes;
}

manager_config make_manager_config(const std::shared_ptr<const erased_source>& source,
                                   const std::shared_ptr<client_queue>& queue, const config& cfg,
                                   const std::vector<node_process>& processes) {
  manager_config mc;
  mc.source = source;
  mc.queue = queue;
  mc.local_workers = cfg.workers;
  mc.buffer = cfg.buffer;
  mc.retry = cfg.retry;
  mc.local_prefetch = cfg.worker_prefetch;
  auto& r = cfg.remote;
  for (auto& n : r.nodes)
    mc.nodes.push_back(parse_node_address(n));
  for (auto& p : processes)
    mc.nodes.push_back(parse_node_address(p.address()));
  mc.token = r.token;
  mc.remote_prefetch = r.prefetch;
  mc.connect_timeout = r.connect_timeout;
  mc.reconnect_interval = r.reconnect_interval;
  mc.no_worker_timeout = r.no_worker_timeout;
  mc.log = actor_events();
  return mc;
}

}  // namespace

struct service::impl {
  impl(std::shared_ptr<const erased_source> src, const config& c)
      : source(std::move(src)), cfg(c), processes(start_nodes(c.remote)),
        sys_cfg(make_system_config(c)), system(sys_cfg) {
    manager_actor = system.spawn(manager, make_manager_config(source, queue, cfg, processes));
  }

  // Waits until every node was tried once; throws for a refusal (version,
  // token, source, dataset) since retrying would not change it.
  void check_nodes() {
    caf::scoped_actor self{system};
    auto limit = cfg.remote.connect_timeout * 2 + std::chrono::seconds{5};
    msg::node_report report;
    self->request(manager_actor, limit, msg::await_nodes{})
      .receive([&](msg::node_report& r) { report = std::move(r); },
               [&](caf::error& e) {
                 throw error(errc::node_unreachable,
                             "the nodes did not answer in time: " + system.render(e));
               });
    if (report.refusals.empty())
      return;
    std::string why;
    for (auto& r : report.refusals)
      why += (why.empty() ? "" : "; ") + r;
    throw error(report.code, why);
  }

  ~impl() {
    queue->stop();
    caf::anon_send_exit(manager_actor, caf::exit_reason::user_shutdown);
  }

  // Starts run at `state` (owned copy). Caller holds client_mtx.
  void begin_run(box state) {
    auto epoch = queue->open();
    queue->count_restart();
    expected = state;
    logger()->info("started run {} at state {}", epoch, source->describe_state(state));
    caf::anon_send(manager_actor, msg::start_cmd{epoch, std::move(state)});
    run_epoch = epoch;
  }

  void halt() {
    auto epoch = run_epoch.load();
    if (queue->stop()) {
      logger()->info("stopped run {}", epoch);
      caf::anon_send(manager_actor, msg::stop_cmd{epoch});
    }
  }

  std::shared_ptr<const erased_source> source;
  config cfg;
  std::shared_ptr<client_queue> queue = std::make_shared<client_queue>();
  std::vector<node_process> processes;  // outlive the actor system that uses them
  caf::actor_system_config sys_cfg;
  caf::actor_system system;
  caf::actor manager_actor;
  std::mutex client_mtx;  // one start or take at a time
  std::atomic<std::uint64_t> run_epoch{0};  // read by stop() without client_mtx
  box expected;  // the state the service stands at
};

service::service(std::shared_ptr<const erased_source> source, const config& cfg) {
  cfg.validate();
  if (cfg.tune_allocator)
    detail::tune_allocator();
  if (cfg.remote.used() && !source->params_json())
    throw error(errc::invalid_config,
                "source \"" + std::string{source->name()}
                  + "\" has no params() to send to remote nodes, so it cannot use them");
  if (cfg.remote.used())  // remote outputs arrive typed, through this codec
    register_output_codec(std::string{source->name()}, source);
  impl_ = std::make_unique<impl>(std::move(source), cfg);
  impl_->check_nodes();
}

service::~service() = default;

void service::start(const box& state) {
  std::lock_guard<std::mutex> guard{impl_->client_mtx};
  if (impl_->queue->status().status == run_status::running) {
    logger()->warn("start() on a running batcher changes nothing");
    return;
  }
  impl_->begin_run(impl_->source->copy_state(state));
}

void service::stop() {
  impl_->halt();
}

std::optional<std::pair<box, box>> service::take(const box& state) {
  auto& d = *impl_;
  std::lock_guard<std::mutex> guard{d.client_mtx};
  switch (d.queue->status().status) {
    case run_status::stopped:
    case run_status::closed:
    case run_status::failed:
      d.begin_run(d.source->copy_state(state));
      break;
    case run_status::done:
    case run_status::running:
      if (!d.source->equal_states(state, d.expected)) {
        logger()->warn("take() with a state the batcher does not stand at: "
                       "restarting from it");
        d.halt();
        d.begin_run(d.source->copy_state(state));
      } else if (d.queue->status().status == run_status::done) {
        return std::nullopt;
      }
      break;
  }
  bool wake = false;
  auto epoch = d.run_epoch.load();
  auto next = d.queue->pop(epoch, wake);
  if (wake)
    d.queue->wake_feeder(epoch);
  if (!next)
    throw error(errc::stopped, "the batcher was stopped while take() waited");
  switch (next->what) {
    case delivery::kind::batch:
      d.expected = next->state_after;
      return std::make_pair(std::move(next->output), std::move(next->state_after));
    case delivery::kind::end:
      d.queue->set_status(run_status::done);
      return std::nullopt;
    case delivery::kind::failure:
      break;
  }
  // The run is over: close it so nothing more is materialized for it.
  // The exception reports the failure; the log only marks the run's end.
  auto fail = [&](const error& e) {
    logger()->info("run {} failed", d.run_epoch.load());
    d.queue->close(run_status::failed, e.what());
    caf::anon_send(d.manager_actor, msg::stop_cmd{epoch});
  };
  if (next->code == errc::batch_failed) {
    batch_error e{d.source->describe_state(state), next->error, next->attempts};
    fail(e);
    throw e;
  }
  error e{next->code, next->error};
  fail(e);
  throw e;
}

status_report service::status() const {
  return impl_->queue->status();
}

run_stats service::stats() const {
  return impl_->queue->stats();
}

std::size_t service::pool_size() const {
  return impl_->queue->pool_size();
}

}  // namespace lockstep
