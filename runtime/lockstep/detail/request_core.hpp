// The untyped part of request_batcher<Model>: the actor system, the former,
// admission and stats (no CAF in this header; request_core.cpp holds it).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/detail/request_slot.hpp"
#include "lockstep/messages/request_stats.hpp"
#include "lockstep/runtime/request_config.hpp"

namespace caf {
class actor_system;
}

namespace lockstep::detail {

class request_meter;

class request_core {
 public:
  /// Throws lockstep::error(invalid_config) naming a bad field. Runs its
  /// own actor system unless `external` is given (which must outlive it).
  request_core(const request_batcher_config& cfg, std::vector<instance_run> instances,
               std::shared_ptr<request_meter> meter, caf::actor_system* external);
  /// Stops, then waits for the running batches (with its own system).
  ~request_core();

  request_core(const request_core&) = delete;
  request_core& operator=(const request_core&) = delete;

  /// Queues `s` for a batch, or answers it at once (queue_full, stopped).
  void submit(slot_ptr s);
  /// Answers every queued request `stopped` and refuses new ones. With its
  /// own actor system it returns once they are answered; with an external
  /// one, once the former has been told.
  void stop();
  request_stats stats() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Throws lockstep::error(invalid_config) naming the first bad field.
void validate(const request_batcher_config& cfg);

/// Why a request's timeout is refused (negative, or above request_wait_limit), or nothing.
std::optional<std::string> check_timeout(std::chrono::microseconds timeout);

}  // namespace lockstep::detail
