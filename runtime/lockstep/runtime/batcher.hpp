// lockstep::batcher — the service a training loop takes batches from. API.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "lockstep/detail/service.hpp"
#include "lockstep/detail/source_adapter.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/status.hpp"
#include "lockstep/runtime/config.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep {

/// Delivers a source's batches in iteration order, materialized in parallel.
///
///     lockstep::batcher batches{my_source{...}, {.workers = 4}};
///     auto state = initial;
///     while (auto next = batches.take(state)) {
///       train(next->output);
///       state = next->state;   // saving `state` is a complete checkpoint
///     }
///
/// Order: threading states through take() yields exactly what plain_loop
/// yields, for any worker count, buffer, retries, worker deaths or restarts.
/// take(s) with a state the batcher does not stand at restarts from s (one
/// warning); on a stopped batcher it starts from s. The caller's state is
/// never modified.
///
/// In flight: at most buffer() + pool_size() batches are materialized or
/// being materialized ahead of the client (buffer defaults to 2 × pool + 1),
/// and config::max_hedges second attempts of a straggler (hedging, on by
/// default: the batch the client waits for, run past hedge_after while a
/// worker idles, is tried again there; the first result is delivered).
///
/// Threads: take() and start() may be called from any thread, one call at a
/// time (a second waits for the first); stop() may be called from any thread
/// at any time, also while take() waits, which it then wakes with
/// errc::stopped; pause(), resume(), status(), stats(), pool_size(), buffer()
/// and window() never block.
/// With remote nodes, the constructor waits for each node to join or refuse,
/// trying a node it cannot reach again until remote.connect_timeout has
/// passed (an attempt under way then is waited for), and throws for a node
/// that refuses the run. A moved-from batcher may only be destroyed or assigned.
template <source S>
class batcher {
 public:
  using state_type = typename S::state_type;
  using output_type = typename S::output_type;
  using step_type = step<output_type, state_type>;

  /// A stopped batcher; the first take() or start() starts it. Throws
  /// lockstep::error for an invalid config or a node that refuses.
  explicit batcher(S src, const config& cfg = {})
      : adapter_(std::make_shared<detail::source_adapter<S>>(std::move(src))),
        service_(std::make_unique<detail::service>(adapter_, cfg)) {
    adapter_->receive_into_pool();  // before start(): no output has arrived yet
  }

  /// A batcher already running from `start_at`.
  batcher(S src, const config& cfg, const state_type& start_at) : batcher(std::move(src), cfg) {
    start(start_at);
  }

  batcher(batcher&&) noexcept = default;
  batcher& operator=(batcher&&) noexcept = default;

  /// Starts from `state`; warns and changes nothing when already running.
  void start(const state_type& state) { service_->start(adapter_->borrow(state)); }

  /// Stops within milliseconds, abandoning in-progress work; idempotent.
  void stop() { service_->stop(); }

  /// Hands out no new jobs until resume(): what workers already hold is
  /// finished into the buffer, and take() delivers what is buffered, then
  /// waits. status().paused says so; the run stays `running`, and a restart
  /// (a take with another state) while paused stays paused. Idempotent; any
  /// thread, any time; neither call blocks.
  void pause() { service_->pause(); }
  void resume() { service_->resume(); }

  /// Grows or shrinks the local pool to `n` workers while running, without
  /// a restart and without losing, redoing or reordering anything: new
  /// workers join at once; a worker that leaves takes no new job and ends
  /// once it has finished what it holds. Remote workers are not counted.
  /// With 0 and no nodes, the uncounted stand-in materializes (as with
  /// config::workers = 0). Ends a config::rampup. Never blocks: pool_size()
  /// follows as workers join and leave. Throws lockstep::error
  /// (invalid_config) above max_workers.
  void set_workers(std::size_t n) { service_->set_workers(n); }

  /// The batch after `state` and the state after it; nullopt at the end of a
  /// finite source. Throws batch_error if that batch failed every attempt.
  std::optional<step_type> take(const state_type& state) {
    auto next = service_->take(adapter_->borrow(state));
    if (!next)
      return std::nullopt;
    return step_type{std::move(*static_cast<output_type*>(next->output.get())),
                     detail::source_adapter<S>::state(next->state)};
  }

  status_report status() const { return service_->status(); }
  run_stats stats() const { return service_->stats(); }
  /// Workers in the pool now, local and remote (the stand-in of a batcher
  /// without workers does not count).
  std::size_t pool_size() const { return service_->pool_size(); }
  /// Batches held ahead of the client with the pool as it is now.
  std::size_t buffer() const { return service_->buffer(); }
  /// Batches that may be materialized or in flight now: buffer() +
  /// pool_size(), or what config::buffer_bytes lets the window hold.
  std::size_t window() const { return service_->window(); }
  const S& source() const noexcept { return adapter_->get(); }

 private:
  std::shared_ptr<detail::source_adapter<S>> adapter_;
  std::unique_ptr<detail::service> service_;
};

}  // namespace lockstep
