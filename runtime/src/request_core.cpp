#include "lockstep/detail/request_core.hpp"

#include <algorithm>
#include <future>
#include <mutex>
#include <optional>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>
#include <caf/thread_hook.hpp>

#include <sys/prctl.h>

#include "lockstep/detail/request_former.hpp"
#include "lockstep/detail/request_messages.hpp"
#include "lockstep/detail/system_config.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

void validate(const request_batcher_config& cfg) {
  auto bad = [](const std::string& what) { throw error(errc::invalid_config, what); };
  if (cfg.max_batch_size == 0)
    bad("max_batch_size must be at least 1");
  for (auto p : cfg.preferred_batch_sizes)
    if (p == 0 || p >= cfg.max_batch_size)
      bad("preferred_batch_sizes: " + std::to_string(p) +
          " is not between 1 and max_batch_size - 1 (" + std::to_string(cfg.max_batch_size - 1) +
          ")");
  auto limit = std::chrono::microseconds{request_wait_limit};
  if (cfg.max_delay.count() < 0 || cfg.max_delay > limit)
    bad("max_delay must be between 0 and 24 h (request_wait_limit)");
  if (cfg.instances == 0)
    bad("instances must be at least 1");
  if (cfg.max_queue == 0)
    bad("max_queue must be at least 1");
  // Compared in the field's own unit: converting a huge one would overflow.
  if (cfg.full_wait.count() < 0 || cfg.full_wait > std::chrono::milliseconds{request_wait_limit})
    bad("full_wait must be between 0 and 24 h (request_wait_limit)");
}

std::optional<std::string> check_timeout(std::chrono::microseconds timeout) {
  if (timeout.count() < 0 || timeout > std::chrono::microseconds{request_wait_limit})
    return "submit_options.timeout must be between 0 and 24 h (request_wait_limit), not " +
           std::to_string(timeout.count()) + " us";
  return std::nullopt;
}

namespace {

// Timer slack 1 ns on every thread of the batcher's own system: the clock
// thread's timed wait fires a max_delay deadline on time instead of up to
// the kernel's default 50 µs late, which is a request's latency here.
class precise_timers final : public caf::thread_hook {
 public:
  void init(caf::actor_system&) override {}
  void thread_started() override { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }
  void thread_terminates() override {}
};

std::vector<std::size_t> sorted_unique(std::vector<std::size_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

struct request_core::impl {
  request_batcher_config cfg;
  std::shared_ptr<request_gate> gate;
  std::shared_ptr<request_meter> meter;
  // An own system when none is given: one scheduler thread for the former
  // (instances run on threads of their own).
  std::optional<caf::actor_system_config> own_cfg;
  std::optional<caf::actor_system> own_sys;
  caf::actor_system* sys = nullptr;
  caf::actor former;
  std::once_flag stopped;
};

request_core::request_core(const request_batcher_config& cfg, std::vector<instance_run> instances,
                           std::shared_ptr<request_meter> meter, caf::actor_system* external)
  : impl_(std::make_unique<impl>()) {
  validate(cfg);
  auto& d = *impl_;
  d.cfg = cfg;
  d.gate = std::make_shared<request_gate>(cfg.max_queue);
  d.meter = std::move(meter);
  if (external != nullptr) {
    d.sys = external;
  } else {
    d.own_cfg.emplace();
    configure(*d.own_cfg, 1, nullptr, true);
    d.own_cfg->add_thread_hook<precise_timers>();
    d.own_sys.emplace(*d.own_cfg);
    d.sys = &*d.own_sys;
  }
  former_config fc;
  fc.max_batch_size = cfg.max_batch_size;
  fc.preferred_sizes = sorted_unique(cfg.preferred_batch_sizes);
  fc.max_delay = std::chrono::duration_cast<caf::timespan>(cfg.max_delay);
  fc.instances = std::move(instances);
  fc.detach_instances = cfg.detach_instances;
  fc.gate = d.gate;
  fc.meter = d.meter;
  d.former = d.sys->spawn(request_former, std::move(fc));
}

request_core::~request_core() {
  stop();
  caf::anon_send_exit(impl_->former, caf::exit_reason::user_shutdown);
  impl_->former = nullptr;
  // An own system's destructor waits for the instances' running batches.
}

void request_core::submit(slot_ptr s) {
  auto& d = *impl_;
  d.meter->submitted();
  auto v = d.cfg.full_policy == when_full::wait ? d.gate->admit(d.cfg.full_wait)
                                                 : d.gate->try_admit();
  switch (v) {
    case request_gate::verdict::admitted:
      caf::anon_send(d.former, msg::request_in{std::move(s)});
      return;
    case request_gate::verdict::full:
      s->fail(errc::queue_full, "request queue full (max_queue " + std::to_string(d.cfg.max_queue) +
                                  " requests waiting)");
      return;
    case request_gate::verdict::stopped:
      s->fail(errc::stopped, "request batcher stopped");
      return;
  }
}

void request_core::stop() {
  auto& d = *impl_;
  std::call_once(d.stopped, [&] {
    d.gate->close();
    if (!d.own_sys) {
      caf::anon_send(d.former, msg::former_stop{});
      return;
    }
    auto done = std::make_shared<std::promise<void>>();
    auto answered = done->get_future();
    caf::anon_send(d.former, msg::former_stop{[done] { done->set_value(); }});
    answered.wait();
  });
}

request_stats request_core::stats() const {
  return impl_->meter->snapshot(impl_->gate->queued());
}

}  // namespace lockstep::detail
