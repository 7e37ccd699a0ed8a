#include "lockstep/detail/node_links.hpp"

namespace lockstep::detail {

node_links::node_links(std::vector<node_address> nodes) {
  for (auto& a : nodes)
    links_.push_back({std::move(a)});
}

void node_links::connecting(std::size_t i) {
  links_[i].state = phase::connecting;
}

std::optional<note> node_links::unreachable(std::size_t i, const std::string& error,
                                            std::size_t retry_ms) {
  auto& n = links_[i];
  std::optional<note> out;
  if (!n.failed || error != n.last_error)
    out =
      note{event_level::warning, "node " + n.address.name() + ": " + error + "; trying again every "
                                   + std::to_string(retry_ms) + " ms"};
  n.state = phase::waiting;
  n.code = errc::node_unreachable;
  n.last_error = error;
  n.failed = true;
  n.settled = n.settled || deadline_passed_;
  return out;
}

std::optional<note> node_links::refuse(link& n, errc code, std::string error) {
  std::optional<note> out;
  if (n.settled)  // the first round's refusals reach the client as an exception
    out = note{event_level::error, error};
  n.state = phase::refused;
  n.code = code;
  n.last_error = std::move(error);
  n.settled = true;
  return out;
}

bool node_links::welcome(std::size_t i, const msg::node_welcome& w, std::optional<note>& out) {
  auto& n = links_[i];
  auto name = n.address.name();
  if (w.protocol != msg::protocol_version) {
    out = refuse(n, errc::version_mismatch,
                 "node " + name + ": protocol version mismatch: the node speaks version "
                   + std::to_string(w.protocol) + ", this manager speaks version "
                   + std::to_string(msg::protocol_version));
    return false;
  }
  if (!w.error.empty()) {
    out = refuse(n, w.code, "node " + name + ": " + w.error);
    return false;
  }
  n.state = phase::connected;
  n.settled = true;
  n.last_error.clear();
  n.workers = w.workers.size();
  out = note{event_level::info,
             "node " + name + " joined with " + std::to_string(n.workers) + " workers"
               + (w.shm ? ", outputs through shared memory" : "")};
  return true;
}

std::optional<note> node_links::worker_lost(std::size_t i, const std::string& reason) {
  auto& n = links_[i];
  if (n.workers > 0)
    --n.workers;
  if (n.workers > 0 || n.state != phase::connected)
    return std::nullopt;
  n.state = phase::waiting;
  n.last_error = "lost (" + reason + ")";
  return note{event_level::warning,
              "node " + n.address.name() + " lost (" + reason + "); its jobs go to other workers"};
}

void node_links::deadline_passed() {
  deadline_passed_ = true;
  for (auto& n : links_)
    if (n.state == phase::waiting)
      n.settled = true;
}

std::optional<msg::node_report> node_links::settled() const {
  msg::node_report report;
  for (auto& n : links_) {
    if (!n.settled)
      return std::nullopt;
    if (n.state == phase::connected)
      report.joined_workers += n.workers;
    if (n.state != phase::refused)
      continue;
    // Another node may hold the run's data; another token or version is a
    // mistake in the run's own configuration.
    if (n.code == errc::source_mismatch || n.code == errc::invalid_dataset) {
      report.skipped_code = n.code;
      report.skipped.push_back(n.last_error);
    } else {
      report.code = n.code;
      report.refusals.push_back(n.last_error);
    }
  }
  return report;
}

std::string node_links::summary() const {
  std::string out;
  for (auto& n : links_)
    out +=
      "; node " + n.address.name() + ": " + (n.last_error.empty() ? "no workers" : n.last_error);
  return out;
}

}  // namespace lockstep::detail
