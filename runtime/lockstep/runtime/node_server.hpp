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
  /// Where to listen. Anything but loopback requires a token.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: any free port
  std::size_t workers = default_workers();
  std::string token{};
  std::chrono::milliseconds heartbeat_interval = remote_config{}.heartbeat_interval;
  std::chrono::milliseconds connection_timeout = remote_config{}.connection_timeout;
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
  /// Throws lockstep::error: invalid_config (a non-loopback host without a
  /// token, zero workers), io_error (cannot listen there).
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

/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& host);

}  // namespace lockstep
