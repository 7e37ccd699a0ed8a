#include "lockstep/detail/remote_proxy.hpp"

#include <exception>

#include "lockstep/detail/worker.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

namespace {

// Reads the output the node left in shared memory into the result.
void from_shm(shm_ring* ring, msg::wire_result& w) {
  try {
    if (!ring)
      throw error(errc::io_error, "the node named shared memory this run did not give it");
    auto codec = find_output_codec(w.output.type);
    if (!codec)
      throw error(errc::io_error, "no codec for outputs of type " + w.output.type);
    w.output.value = ring->take(*codec, {w.shm_pos, w.shm_size});
  } catch (const std::exception& e) {
    w.failed = true;
    w.error = e.what();
  }
}

}  // namespace

msg::remote_proxy_actor::behavior_type remote_proxy(
  msg::remote_proxy_actor::stateful_pointer<remote_proxy_state> self, remote_proxy_config cfg) {
  self->state.cfg = std::move(cfg);
  self->monitor(self->state.cfg.remote);
  self->set_down_handler([self](caf::down_msg& down) { self->quit(down.reason); });
  return {
    [self](const msg::job& j) {
      auto& st = self->state;
      msg::result r{j.epoch, j.seq(), j.attempt, {}, {}, 0, 0, self->address()};
      if (skip_job(*st.cfg.channel, j)) {
        self->send(st.cfg.collector, std::move(r));
        return;
      }
      // The manager gives remote workers jobs of one batch (worker_joined).
      auto& item = j.items.front();
      std::vector<char> bytes;
      try {
        bytes = st.cfg.source->encode_batch(item.batch);
      } catch (const std::exception& e) {
        // Encoding is deterministic: another attempt would fail the same way.
        r.failures.push_back({item.seq, true, e.what()});
        self->send(st.cfg.collector, std::move(r));
        return;
      }
      st.out.insert_or_assign({j.epoch, item.seq}, item.state_after);
      self->send(st.cfg.remote, msg::wire_job{j.epoch, item.seq, j.attempt, std::move(bytes)});
    },
    [self](msg::wire_result& w) {
      auto& st = self->state;
      auto i = st.out.find({w.epoch, w.seq});
      if (i == st.out.end()) {
        if (w.shm_size > 0 && st.cfg.ring)
          st.cfg.ring->release({w.shm_pos, w.shm_size});
        return;
      }
      if (w.shm_size > 0)
        from_shm(st.cfg.ring.get(), w);
      msg::result r{w.epoch, w.seq, w.attempt, {}, {}, w.busy_ns, 1, self->address()};
      if (w.failed)
        r.failures.push_back({w.seq, w.permanent, std::move(w.error)});
      else
        r.outputs.push_back({w.seq, std::move(w.output.value), std::move(i->second)});
      st.out.erase(i);
      self->send(st.cfg.collector, std::move(r));
    },
  };
}

}  // namespace lockstep::detail
