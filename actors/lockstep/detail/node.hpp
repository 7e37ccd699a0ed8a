// The node actor: what a `lockstep node` publishes on its port.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/stateful_actor.hpp>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/event_log.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/remote_worker.hpp"

namespace lockstep::detail {

struct node_config {
  std::string token;  ///< runs must present it; empty: any run is served
  std::size_t workers = 1;
  /// Builds the source a run asks for; on failure returns null and sets
  /// `code` and `error` (e.g. unknown_source, invalid_dataset).
  std::function<std::shared_ptr<const erased_source>(
    const std::string& source, const std::string& params, errc& code, std::string& error)>
    build;
  /// How the run's fingerprint differs from the node's source's (both JSON
  /// text), nullopt when they are equal; null: compared as text.
  std::function<std::optional<std::string>(const std::string& run, const std::string& node)>
    compare_fingerprints;
  /// Called with a line worth logging (a run joined, left or was refused).
  event_log log;
};

struct node_state {
  node_config cfg;
  struct session {
    std::vector<msg::remote_worker_actor> workers;
    std::shared_ptr<remote_work_counts> counts;
  };
  std::map<caf::actor_addr, session> sessions;  ///< by the run's owner

  static inline const char* name = "lockstep.node";
};

/// Answers msg::node_hello with msg::node_welcome: checks the protocol
/// version and the token (a refusal names both versions, or the token
/// problem), builds the run's source and checks that its outputs have the
/// type the run expects, and spawns `workers` remote workers for that run,
/// each with a source of its own run. It monitors the run's owner and ends
/// the run's workers when the owner goes away (the run ended or its process
/// died), so a node serves run after run, several at once, each isolated
/// from the others. A refused run changes nothing on the node.
///
/// Workers are scheduled actors, not detached ones: CAF keeps every actor
/// whose handle went to a peer alive until its middleman stops, and a
/// detached actor kept alive that way stalls the node's shutdown. Give the
/// node's scheduler a thread per worker, plus some (node_server does).
msg::node_actor::behavior_type node(msg::node_actor::stateful_pointer<node_state> self,
                                    node_config cfg);

}  // namespace lockstep::detail
