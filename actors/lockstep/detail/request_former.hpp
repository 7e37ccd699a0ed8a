// The request batcher's batch-forming actor: queues requests in two
// priorities and hands a batch to an idle model instance when the batch is
// due.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/timespan.hpp>

#include "lockstep/detail/model_instance.hpp"
#include "lockstep/detail/request_gate.hpp"
#include "lockstep/detail/request_meter.hpp"

namespace lockstep::detail {

struct former_config {
  std::size_t max_batch_size = 32;
  std::vector<std::size_t> preferred_sizes;  ///< ascending, each < max_batch_size
  caf::timespan max_delay{};
  std::vector<instance_run> instances;  ///< one model instance each
  bool detach_instances = true;         ///< each instance on its own thread
  std::shared_ptr<request_gate> gate;
  std::shared_ptr<request_meter> meter;
};

/// How many queued requests to take into a batch now, given `queued`
/// requests, whether the oldest has waited max_delay, and the sizes: the
/// whole maximum when that many wait, else the largest preferred size that
/// many reach, else all of them once the oldest is due, else 0 (wait).
std::size_t due_batch_size(std::size_t queued, bool oldest_due, std::size_t max_batch_size,
                           const std::vector<std::size_t>& preferred_sizes);

/// Handles msg::request_in, msg::instance_idle, msg::former_tick and
/// msg::former_stop. Spawns its instances linked to it, so they end with
/// it (a detached one after the batch it is running). A batch goes to an
/// idle instance when due_batch_size says so, high priority first, oldest
/// first within a priority; a request past its timeout is answered
/// timed_out instead, at the latest when its timeout passes. The deadline
/// counts from the oldest queued request's arrival, never from the last.
caf::behavior request_former(caf::event_based_actor* self, former_config cfg);

}  // namespace lockstep::detail
