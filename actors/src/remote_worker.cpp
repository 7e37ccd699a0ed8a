#include "lockstep/detail/remote_worker.hpp"

#include <caf/actor_cast.hpp>

#include <chrono>
#include <exception>

#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

namespace {

// Moves the answer's output into the ring when it fits there now.
void to_shm(shm_ring& ring, msg::wire_result& answer, remote_work_counts& counts) {
  auto codec = find_output_codec(answer.output.type);
  if (!codec)
    return;
  try {
    auto slot = ring.put(*codec, answer.output.value);
    if (!slot)
      return;
    answer.shm_pos = slot->pos;
    answer.shm_size = slot->size;
    ++counts.through_shm;
  } catch (const std::exception& e) {
    // Writing an output is deterministic: the socket would fail the same way.
    answer.failed = answer.permanent = true;
    answer.error = std::string{"cannot serialize the output: "} + e.what();
  }
  answer.output.value = nullptr;
}

}  // namespace

msg::remote_worker_actor::behavior_type remote_worker(msg::remote_worker_actor::pointer self,
                                                      remote_worker_config cfg) {
  return {
    [=](const msg::wire_job& j) {
      msg::wire_result answer{j.epoch,
                              j.seq,
                              j.attempt,
                              false,
                              false,
                              {},
                              {std::string{cfg.source->output_type_name()}, nullptr}};
      const_box batch;
      auto start = std::chrono::steady_clock::now();
      try {
        batch = cfg.source->decode_batch(j.batch);
        answer.output.value = cfg.source->materialize(batch);
      } catch (const permanent_error& e) {
        answer.failed = answer.permanent = true;
        answer.error = e.what();
      } catch (const error& e) {
        // Bytes that do not decode will not decode on a retry either.
        answer.failed = true;
        answer.permanent = batch == nullptr;
        answer.error = e.what();
      } catch (const std::exception& e) {
        answer.failed = true;
        answer.error = e.what();
      }
      answer.busy_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
      if (answer.output.value && cfg.ring)
        to_shm(*cfg.ring, answer, *cfg.counts);
      ++cfg.counts->answered;
      self->send(caf::actor_cast<msg::remote_proxy_actor>(self->current_sender()),
                 std::move(answer));
    },
  };
}

}  // namespace lockstep::detail
