#include "lockstep/detail/remote_proxy.hpp"

#include <exception>

#include "lockstep/detail/worker.hpp"

namespace lockstep::detail {

msg::remote_proxy_actor::behavior_type remote_proxy(
  msg::remote_proxy_actor::stateful_pointer<remote_proxy_state> self, remote_proxy_config cfg) {
  self->state.cfg = std::move(cfg);
  self->monitor(self->state.cfg.remote);
  self->set_down_handler([self](caf::down_msg& down) { self->quit(down.reason); });
  return {
    [self](const msg::job& j) {
      auto& st = self->state;
      msg::worker_ready ready{j.epoch, j.seq, j.attempt, false, false, {}};
      if (skip_job(*st.cfg.channel, j)) {
        self->send(st.cfg.feeder, std::move(ready));
        return;
      }
      std::vector<char> bytes;
      try {
        bytes = st.cfg.source->encode_batch(j.batch);
      } catch (const std::exception& e) {
        // Encoding is deterministic: another attempt would fail the same way.
        ready.failed = ready.permanent = true;
        ready.error = e.what();
        self->send(st.cfg.feeder, std::move(ready));
        return;
      }
      st.out.insert_or_assign({j.epoch, j.seq}, j.state_after);
      self->send(st.cfg.remote, msg::wire_job{j.epoch, j.seq, j.attempt, std::move(bytes)});
    },
    [self](msg::wire_result& r) {
      auto& st = self->state;
      auto i = st.out.find({r.epoch, r.seq});
      if (i == st.out.end())
        return;
      auto state_after = std::move(i->second);
      st.out.erase(i);
      if (!r.failed)
        self->send(st.cfg.collector,
                   msg::result{r.epoch, r.seq, std::move(r.output.value), std::move(state_after)});
      self->send(st.cfg.feeder, msg::worker_ready{r.epoch, r.seq, r.attempt, r.failed, r.permanent,
                                                  std::move(r.error)});
    },
  };
}

}  // namespace lockstep::detail
