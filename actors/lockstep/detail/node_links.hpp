// The manager's links to remote nodes, as a state machine without messaging.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lockstep/detail/event_log.hpp"
#include "lockstep/detail/messages.hpp"
#include "lockstep/messages/node_address.hpp"

namespace lockstep::detail {

/// A line for the log.
struct note {
  event_level level = event_level::info;
  std::string line;
};

/// Each listed node goes
///
///     connecting ──welcome──▶ connected ──last worker lost──▶ waiting
///        │  ▲                                                  │
///        │  └───────────────── reconnect due ◀─────────────────┘
///        ├──unreachable, no answer──▶ waiting
///        └──refused (version, token, source)──▶ refused (for good)
///
/// Guarantees: a refusal is final; a transient failure is logged once per
/// distinct error, not at every retry. The first round lasts until every
/// node has joined or refused, or has failed after the round's deadline
/// (deadline_passed): a node that fails early is tried again within the
/// round, so a node that is starting, or a connection lost to a busy
/// machine, does not leave the run without it. The first round's refusals
/// reach the client through the report (settled()), later ones only the log.
class node_links {
 public:
  enum class phase { connecting, connected, waiting, refused };

  explicit node_links(std::vector<node_address> nodes);

  std::size_t size() const { return links_.size(); }
  const node_address& address(std::size_t i) const { return links_[i].address; }
  phase state(std::size_t i) const { return links_[i].state; }
  std::size_t workers(std::size_t i) const { return links_[i].workers; }

  /// An attempt begins (the first, or a reconnect that is due).
  void connecting(std::size_t i);

  /// The attempt failed in a way a later one may mend (no answer, nothing
  /// published there). The caller tries again after its reconnect interval.
  std::optional<note> unreachable(std::size_t i, const std::string& error, std::size_t retry_ms);

  /// The node answered the handshake: returns whether it joined with
  /// w.workers; otherwise it refused (another protocol version, or the
  /// node's error) for good.
  bool welcome(std::size_t i, const msg::node_welcome& w, std::optional<note>& out);

  /// One of node i's workers is gone. When it was the last, the node is lost:
  /// returns the line to log, and the caller reconnects later.
  std::optional<note> worker_lost(std::size_t i, const std::string& reason);

  /// Whether a reconnect for node i is due (it is waiting, not refused).
  bool reconnect_due(std::size_t i) const { return links_[i].state == phase::waiting; }

  /// The first round's deadline passed: a node whose attempts failed is
  /// settled as unreachable (it is still tried every reconnect interval); one
  /// whose attempt is under way settles when that attempt ends.
  void deadline_passed();

  /// Once the first round is over: its refusals and the workers that joined.
  std::optional<msg::node_report> settled() const;

  /// "; node h:p: last error" for every node, for the no-worker failure.
  std::string summary() const;

 private:
  struct link {
    node_address address{};
    phase state = phase::connecting;
    bool settled = false;  ///< the first round is over for this node
    bool failed = false;   ///< an attempt has failed (its error is logged)
    errc code = errc::node_unreachable;
    std::string last_error{};
    std::size_t workers = 0;
  };

  std::optional<note> refuse(link& n, errc code, std::string error);

  std::vector<link> links_;
  bool deadline_passed_ = false;
};

}  // namespace lockstep::detail
