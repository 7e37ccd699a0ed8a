#include "lockstep/actors/node.hpp"

#include <caf/exit_reason.hpp>

#include "lockstep/actors/remote_worker.hpp"
#include "lockstep/messages/messages.hpp"

namespace lockstep {

namespace {

using self_ptr = caf::stateful_actor<node_state>*;

// Compares tokens in time independent of where they differ.
bool same_token(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

msg::node_welcome refuse(self_ptr self, errc code, std::string why) {
  auto& st = self->state;
  if (st.cfg.log)
    st.cfg.log(event_level::warning, "refused a run: " + why);
  return {msg::protocol_version, code, std::move(why), {}};
}

void end_session(self_ptr self, const caf::actor_addr& feeder, const caf::error& reason) {
  auto& st = self->state;
  auto i = st.sessions.find(feeder);
  if (i == st.sessions.end())
    return;
  for (auto& w : i->second.workers)
    self->send_exit(w, caf::exit_reason::user_shutdown);
  if (st.cfg.log)
    st.cfg.log(event_level::info, "a run left (" + caf::to_string(reason) + "); its workers answered "
                        + std::to_string(i->second.served->load()) + " jobs");
  st.sessions.erase(i);
}

}  // namespace

caf::behavior node(self_ptr self, node_config cfg) {
  self->state.cfg = std::move(cfg);
  self->set_down_handler(
    [self](caf::down_msg& down) { end_session(self, down.source, down.reason); });
  self->set_exit_handler([self](caf::exit_msg& x) {
    while (!self->state.sessions.empty())
      end_session(self, self->state.sessions.begin()->first, x.reason);
    self->quit(x.reason);
  });
  return {
    [self](const msg::node_hello& hello) -> msg::node_welcome {
      auto& st = self->state;
      if (hello.protocol != msg::protocol_version)
        return refuse(self, errc::version_mismatch,
                      "protocol version mismatch: the manager speaks version "
                        + std::to_string(hello.protocol) + ", the node speaks version "
                        + std::to_string(msg::protocol_version));
      if (!st.cfg.token.empty() && !same_token(hello.token, st.cfg.token))
        return refuse(self, errc::not_authorized,
                      hello.token.empty() ? "the node requires a token (--token-file)"
                                          : "the node refused the token");
      if (!hello.feeder)
        return refuse(self, errc::invalid_config, "the run named no feeder");
      errc code = errc::unknown_source;
      std::string error;
      auto source = st.cfg.build(hello.source, hello.params, code, error);
      if (!source)
        return refuse(self, code, error);
      register_output_codec(hello.source, source);
      node_state::session run{{}, std::make_shared<std::atomic<std::uint64_t>>(0)};
      for (std::size_t i = 0; i < st.cfg.workers; ++i) {
        remote_worker_config wc{source, hello.feeder, run.served};
        run.workers.push_back(self->spawn(remote_worker, wc));
      }
      self->monitor(hello.feeder);
      msg::node_welcome welcome{msg::protocol_version, {}, {}, run.workers};
      st.sessions[hello.feeder.address()] = std::move(run);
      if (st.cfg.log)
        st.cfg.log(event_level::info, "a run of source \"" + hello.source + "\" joined; "
                            + std::to_string(st.cfg.workers) + " workers serve it");
      return welcome;
    },
  };
}

}  // namespace lockstep
