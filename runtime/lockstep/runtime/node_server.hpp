// Serving workers to remote managers: the heart of `lockstep node`.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "lockstep/runtime/config.hpp"
#include "lockstep/runtime/source_registry.hpp"

namespace lockstep {

/// How a node serves; the defaults are those of config and remote_config.
struct node_options {
  /// Where to listen. An address beyond loopback requires a token: every
  /// address the host resolves to must be loopback to go without one.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: any free port
  std::size_t workers = default_workers();
  std::string token{};
  std::chrono::milliseconds heartbeat_interval = remote_config{}.heartbeat_interval;
  std::chrono::milliseconds connection_timeout = remote_config{}.connection_timeout;
  /// A connection must prove the token (lockstep's preamble, before CAF's
  /// protocol starts) within this time, or it is closed.
  std::chrono::milliseconds handshake_timeout = remote_config{}.connection_timeout;
  /// Connections still in their preamble, from one peer address and in all;
  /// one more evicts the oldest.
  std::size_t max_pending_per_peer = 8;
  std::size_t max_pending = 64;
  std::size_t scheduler_threads = config{}.scheduler_threads;  ///< besides one per worker
  /// As config::tune_allocator: outputs are made by workers and freed by
  /// CAF's I/O thread once sent.
  bool tune_allocator = config{}.tune_allocator;
};

/// A node: listens at once and serves runs (each gets `workers` workers
/// running the source it names, built through `registry`) until destroyed.
/// A refused run (protocol version, token, unknown source, bad parameters)
/// is logged and changes nothing; the node goes on serving others.
class node_server {
 public:
  /// Throws lockstep::error: invalid_config (a host that resolves beyond
  /// loopback without a token, zero workers), io_error (cannot resolve or
  /// listen there).
  node_server(const node_options& options, source_registry registry);
  ~node_server();

  std::uint16_t port() const noexcept;
  /// "host:port" with the real port.
  std::string address() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Runs a node until SIGINT or SIGTERM. Prints exactly one line,
/// "listening on HOST:PORT", on stdout as soon as it accepts connections.
/// Returns 0 after a signal; throws like node_server when it cannot start.
/// Build your own node binary with your own sources by calling it.
int serve_node(const node_options& options, source_registry registry);

/// True when every address `host` resolves to is in 127.0.0.0/8 or ::1 (so
/// "localhost" usually is, and "127.0.0.1.example.com" is only if it
/// resolves there); false when it does not resolve.
bool is_loopback(const std::string& host);

}  // namespace lockstep
