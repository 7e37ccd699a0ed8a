// The untyped core of a batcher: owns the actor system and the run.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "lockstep/actors/client_queue.hpp"
#include "lockstep/actors/erased_source.hpp"
#include "lockstep/runtime/config.hpp"

namespace lockstep {

/// batcher<Source> is a typed shell around this class, which holds the
/// semantics of start/stop/take on boxes and keeps CAF out of users' headers.
/// start, stop and take may be called from different threads; stop never
/// waits for take.
class service {
 public:
  /// Spawns the actors; throws lockstep::error for an invalid config.
  service(std::shared_ptr<const erased_source> source, const config& cfg);
  ~service();

  service(const service&) = delete;
  service& operator=(const service&) = delete;

  /// Starts a run at `state` (copied); warns and changes nothing if running.
  void start(const box& state);

  /// Abandons the run (in-flight materializations finish unseen). Idempotent.
  void stop();

  /// {output, state after} of the batch that follows `state`, or nullopt at
  /// the end of a finite source. Restarts from `state` when the service does
  /// not stand there. Throws batch_error when that batch failed every attempt.
  std::optional<std::pair<box, box>> take(const box& state);

  status_report status() const;
  run_stats stats() const;

  /// Workers in the pool now (local and remote).
  std::size_t pool_size() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace lockstep
