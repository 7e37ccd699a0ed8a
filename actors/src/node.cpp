#include "lockstep/detail/node.hpp"

#include <caf/exit_reason.hpp>

#include "lockstep/detail/remote_worker.hpp"
#include "lockstep/detail/shm_ring.hpp"

namespace lockstep::detail {

namespace {

using self_ptr = msg::node_actor::stateful_pointer<node_state>;

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

std::string through_shm(const remote_work_counts& counts) {
  auto n = counts.through_shm.load();
  return n == 0 ? "" : ", " + std::to_string(n) + " outputs through shared memory";
}

void end_session(self_ptr self, const caf::actor_addr& owner, const caf::error& reason) {
  auto& st = self->state;
  auto i = st.sessions.find(owner);
  if (i == st.sessions.end())
    return;
  for (auto& w : i->second.workers)
    self->send_exit(w, caf::exit_reason::user_shutdown);
  if (st.cfg.log)
    st.cfg.log(event_level::info, "a run left (" + caf::to_string(reason)
                                    + "); its workers answered "
                                    + std::to_string(i->second.counts->answered.load()) + " jobs"
                                    + through_shm(*i->second.counts));
  st.sessions.erase(i);
}

// One ring a worker in the run's shared memory, when it offers some and this
// node shares its host; none otherwise (the outputs then go on the socket).
// The manager splits the segment the same way (manager.cpp, welcome).
std::vector<std::shared_ptr<shm_ring>> map_shm(self_ptr self, const msg::node_hello& hello) {
  std::vector<std::shared_ptr<shm_ring>> rings;
  if (hello.shm_name.empty())
    return rings;
  try {
    auto shm = shm_segment::open(hello.shm_name, hello.shm_nonce, hello.shm_bytes);
    for (std::size_t i = 0; i < self->state.cfg.workers; ++i)
      rings.push_back(
        std::make_shared<shm_ring>(shm, shm->region_of(self->state.cfg.workers, i)));
  } catch (const std::exception& e) {
    rings.clear();
    if (self->state.cfg.log)
      self->state.cfg.log(event_level::info,
                          std::string{"outputs go on the socket: "} + e.what());
  }
  return rings;
}

}  // namespace

msg::node_actor::behavior_type node(self_ptr self, node_config cfg) {
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
      if (!hello.owner)
        return refuse(self, errc::invalid_config, "the run named no owner");
      // A run that reconnects after losing this node: its old workers are stale.
      end_session(self, hello.owner.address(), caf::exit_reason::user_shutdown);
      errc code = errc::unknown_source;
      std::string error;
      auto source = st.cfg.build(hello.source, hello.params, code, error);
      if (!source)
        return refuse(self, code, error);
      if (source->output_type_name() != hello.output_type)
        return refuse(self, errc::source_mismatch,
                      "the node's source \"" + hello.source + "\" makes outputs of type "
                        + std::string{source->output_type_name()} + ", the run expects "
                        + hello.output_type);
      if (auto mine = source->fingerprint_json(); mine != hello.fingerprint) {
        auto why = st.cfg.compare_fingerprints
                     ? st.cfg.compare_fingerprints(hello.fingerprint, mine)
                     : std::optional<std::string>{"the fingerprints differ"};
        if (why)
          return refuse(self, errc::source_mismatch,
                        "the node's source \"" + hello.source
                          + "\" differs from the run's: " + *why);
      }
      node_state::session run{{}, std::make_shared<remote_work_counts>()};
      auto rings = map_shm(self, hello);
      for (std::size_t i = 0; i < st.cfg.workers; ++i)
        run.workers.push_back(self->spawn(
          remote_worker, remote_worker_config{source, run.counts,
                                              rings.empty() ? nullptr : rings[i]}));
      self->monitor(hello.owner);
      msg::node_welcome welcome{msg::protocol_version, {}, {}, {}, !rings.empty()};
      for (auto& w : run.workers)
        welcome.workers.push_back(caf::actor_cast<caf::actor>(w));
      st.sessions[hello.owner.address()] = std::move(run);
      if (st.cfg.log)
        st.cfg.log(event_level::info, "a run of source \"" + hello.source + "\" joined; "
                                        + std::to_string(st.cfg.workers) + " workers serve it");
      return welcome;
    },
  };
}

}  // namespace lockstep::detail
