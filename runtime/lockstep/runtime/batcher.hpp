// lockstep::batcher — the service a training loop takes batches from.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "lockstep/runtime/config.hpp"
#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/service.hpp"
#include "lockstep/runtime/source.hpp"
#include "lockstep/runtime/source_adapter.hpp"

namespace lockstep {

/// Delivers a source's batches in iteration order, materialized in parallel.
///
///     lockstep::batcher b{my_source{...}, {.workers = 4}};
///     auto state = initial;
///     while (auto next = b.take(state)) {
///       auto& [output, next_state] = *next;
///       train(output);
///       state = next_state;   // saving `state` is a complete checkpoint
///     }
///
/// Threading states through take() yields exactly what plain_loop yields,
/// for any worker count, buffer, retries or restarts. take(s) with a state the
/// batcher does not stand at restarts from s (one warning); on a stopped
/// batcher it starts from s. The caller's state is never modified.
template <source S>
class batcher {
 public:
  using state_type = typename S::state_type;
  using output_type = typename S::output_type;
  using taken = std::pair<output_type, state_type>;

  /// Throws lockstep::error for an invalid config, or when config.start is set
  /// without an initial state.
  explicit batcher(S src, const config& cfg = {},
                   const std::optional<state_type>& initial = std::nullopt)
      : adapter_(std::make_shared<source_adapter<S>>(std::move(src))),
        service_(adapter_, checked(cfg, initial.has_value())) {
    if (cfg.start)
      start(*initial);
  }

  /// Starts from `state`; warns and changes nothing when already running.
  void start(const state_type& state) { service_.start(adapter_->borrow(state)); }

  /// Stops within milliseconds, abandoning in-progress work; idempotent.
  void stop() { service_.stop(); }

  /// The batch after `state` and the state after it; nullopt at the end of a
  /// finite source. Throws batch_error if that batch failed every attempt.
  std::optional<taken> take(const state_type& state) {
    auto next = service_.take(adapter_->borrow(state));
    if (!next)
      return std::nullopt;
    auto& output = *static_cast<output_type*>(next->first.get());
    return taken{std::move(output), source_adapter<S>::state(next->second)};
  }

  status_report status() const { return service_.status(); }
  run_stats stats() const { return service_.stats(); }
  std::size_t pool_size() const { return service_.pool_size(); }
  const S& source() const noexcept { return adapter_->get(); }

 private:
  static const config& checked(const config& cfg, bool has_initial) {
    if (cfg.start && !has_initial)
      throw error(errc::invalid_config,
                  "invalid config: start is set but no initial state was given");
    return cfg;
  }

  std::shared_ptr<source_adapter<S>> adapter_;
  service service_;
};

}  // namespace lockstep
