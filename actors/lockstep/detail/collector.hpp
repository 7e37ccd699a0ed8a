// The collector actor: puts results back in order and hands them to the client.
#pragma once

#include <memory>
#include <vector>

#include <caf/stateful_actor.hpp>

#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/reorder_buffer.hpp"
#include "lockstep/detail/run_channel.hpp"

namespace lockstep::detail {

struct collector_state {
  std::shared_ptr<run_channel> channel;
  msg::feeder_actor feeder;  ///< from msg::feeder_hello
  reorder_buffer buffer;
  std::uint64_t epoch = 0;  ///< the run being collected; 0 = none
  std::vector<delivery> released;

  static inline const char* name = "lockstep.collector";
};

/// Receives msg::result, msg::batch_failed, msg::run_end and msg::run_failed
/// of the run it collects — the last msg::begin_run's; anything of another
/// epoch is dropped, so a stale result can never take the place of a batch
/// of the new run — releases them strictly by seq through a reorder_buffer
/// (or, where the channel is not in order, as they come, each once) and
/// pushes them to the run_channel. It holds no more than the credit
/// window allows. Every msg::result, of any run, is passed on to the feeder
/// as msg::worker_ready (its worker is free, its failures to be retried).
msg::collector_actor::behavior_type collector(
  msg::collector_actor::stateful_pointer<collector_state> self,
  std::shared_ptr<run_channel> channel);

}  // namespace lockstep::detail
