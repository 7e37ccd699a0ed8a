#include "lockstep/runtime/service.hpp"

#include <atomic>
#include <mutex>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "lockstep/actors/manager.hpp"
#include "lockstep/messages/messages.hpp"
#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/log.hpp"

namespace lockstep {

namespace {

caf::actor_system_config make_system_config(const config& cfg) {
  caf::actor_system_config sys_cfg;
  // CAF starts at least 4 scheduler threads unless told otherwise.
  sys_cfg.set("scheduler.max-threads", static_cast<int>(cfg.scheduler_threads));
  msg::register_messages(sys_cfg);
  return sys_cfg;
}

}  // namespace

struct service::impl {
  impl(std::shared_ptr<const erased_source> src, const config& c)
      : source(std::move(src)), cfg(c), sys_cfg(make_system_config(c)), system(sys_cfg) {
    manager_config mc;
    mc.source = source;
    mc.queue = queue;
    mc.local_workers = cfg.workers;
    mc.buffer = cfg.effective_buffer();
    mc.retry = cfg.retry;
    mc.slots_per_worker = cfg.worker_prefetch;
    manager_actor = system.spawn(manager, std::move(mc));
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
  caf::actor_system_config sys_cfg;
  caf::actor_system system;
  caf::actor manager_actor;
  std::mutex client_mtx;  // one start or take at a time
  std::atomic<std::uint64_t> run_epoch{0};  // read by stop() without client_mtx
  box expected;  // the state the service stands at
};

service::service(std::shared_ptr<const erased_source> source, const config& cfg) {
  cfg.validate();
  impl_ = std::make_unique<impl>(std::move(source), cfg);
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
