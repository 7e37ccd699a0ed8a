// The untyped core of a batcher: owns the actor system and the run.
#pragma once

#include <memory>
#include <optional>

#include "lockstep/detail/box.hpp"
#include "lockstep/detail/delivery.hpp"
#include "lockstep/detail/erased_source.hpp"
#include "lockstep/messages/status.hpp"
#include "lockstep/runtime/config.hpp"

namespace lockstep::detail {

/// A delivered batch: its output and the state after it.
struct taken {
  box output;
  const_box state;
};

/// batcher<Source> is a typed shell around this class, which holds the
/// semantics of start/stop/take on boxes and keeps CAF out of users'
/// translation units. start and take serialize on one lock; stop, status
/// and stats never wait for them.
class service {
 public:
  /// Spawns the actors and, with nodes, waits until each was tried once;
  /// throws lockstep::error for an invalid config or a refusing node.
  /// `in_order` false: a job run (job_runner), read with next() instead of
  /// take(): results as they finish, credit freed by the watermark.
  service(std::shared_ptr<const erased_source> source, const config& cfg, bool in_order = true);
  ~service();

  service(const service&) = delete;
  service& operator=(const service&) = delete;

  /// Starts a run at `state` (copied); warns and changes nothing if running.
  void start(const const_box& state);

  /// Abandons the run (in-flight materializations finish unseen). Idempotent.
  void stop();

  /// No new jobs until resume(); idempotent, any thread, never blocks.
  void pause();
  void resume();

  /// Asks for `n` local workers; throws lockstep::error(invalid_config)
  /// above max_workers. Never blocks: pool_size() follows.
  void set_workers(std::size_t n);

  /// The batch that follows `state`, or nullopt at the end of a finite
  /// source. Throws batch_error when that batch failed every attempt.
  std::optional<taken> take(const const_box& state);

  /// A job run's next result as it finishes: a batch (its seq, output and
  /// state after it) or a batch that failed every attempt (its seq and
  /// error); nullopt once every batch was. Throws lockstep::error when the
  /// run cannot go on (stopped while waiting, iterate failed, no worker).
  std::optional<delivery> next();

  status_report status() const;
  run_stats stats() const;
  std::size_t pool_size() const;
  std::size_t buffer() const;
  std::size_t window() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace lockstep::detail
