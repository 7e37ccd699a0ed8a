// Peer: PyTorch's DataLoader, driven in a Python process (pytorch_loader.py).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "../child_process.hpp"
#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// One Python process for the whole run (importing torch takes seconds),
/// which measures one DataLoader run per request, so its repetitions
/// interleave with the C++ systems' like any other.
class pytorch_peer {
 public:
  /// `python` runs `script`; an empty script disables the peer.
  pytorch_peer(std::string python, std::string script);

  /// Why the peer cannot be measured (no interpreter, no torch, or work that
  /// differs from the synthetic source's), or nullopt. Starts the process and
  /// checks its work byte for byte on the first call.
  const std::optional<std::string>& unavailable();

  /// DataLoader(num_workers = W) over `w`; its costs are in other processes.
  throughput rate(const workload& w);

 private:
  boost::json::object request(const boost::json::object& req);
  std::optional<std::string> check_work();

  std::string python_;
  std::string script_;
  bool started_ = false;
  std::optional<std::string> unavailable_;
  std::unique_ptr<child_process> process_;
};

}  // namespace lockstep::bench
