#include "lockstep/detail/worker.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

bool skip_job(const run_channel& channel, const msg::job& j) {
  return !channel.live(j.epoch) || (j.claim && j.claim->exchange(true));
}

msg::worker_actor::behavior_type worker(msg::worker_actor::pointer self, worker_config cfg) {
  return {
    [=](msg::job& j) {
      msg::result r{j.epoch, j.seq(), j.attempt, {}, {}, 0, 0, self->address()};
      if (!skip_job(*cfg.channel, j)) {
        materialize_items(*cfg.source, *cfg.channel, j, r);
        r.items = static_cast<std::uint32_t>(r.outputs.size() + r.failures.size());
      }
      self->send(cfg.collector, std::move(r));
    },
  };
}

void materialize_items(const erased_source& source, run_channel& channel, msg::job& j,
                       msg::result& r) {
  auto start = std::chrono::steady_clock::now();
  std::size_t largest = 0;
  r.outputs.reserve(j.items.size());
  for (auto& item : j.items) {
    if (!channel.live(j.epoch))
      break;  // the run ended: what is left would be dropped
    try {
      auto output = source.materialize(item.batch);
      largest = std::max(largest, source.output_bytes(output));
      r.outputs.push_back({item.seq, std::move(output), std::move(item.state_after)});
    } catch (const permanent_error& e) {
      r.failures.push_back({item.seq, true, e.what()});
    } catch (const std::exception& e) {
      r.failures.push_back({item.seq, false, e.what()});
    }
  }
  r.busy_ns = static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
      .count());
  if (largest > 0)
    channel.note_output_bytes(largest);
}

}  // namespace lockstep::detail
