// Where a remote node listens. API.
#pragma once

#include <cstdint>
#include <string>

namespace lockstep {

struct node_address {
  std::string host{};
  std::uint16_t port = 0;

  /// "host:port" ("[v6]:port"), as messages and `listening on` lines spell it.
  std::string name() const {
    auto h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + std::to_string(port);
  }
};

}  // namespace lockstep
