// `lockstep node`: serve workers to remote runs.
#pragma once

#include <optional>
#include <string>

#include <CLI/App.hpp>

#include "lockstep/runtime/node_server.hpp"

namespace lockstep::cli {

/// The node's options; timings given in seconds replace node_options' own.
struct node_command_options {
  node_options node;
  std::string listen = node_address{node.host, node.port}.name();
  std::string token_file;
  std::optional<double> heartbeat_s;
  std::optional<double> connection_timeout_s;
  std::optional<double> handshake_timeout_s;
  std::string log_level = "info";
  bool exit_with_stdin = false;
};

CLI::App* add_node_command(CLI::App& app, node_command_options& opts);

/// Serves until SIGINT/SIGTERM; returns an exit status.
int run_node(node_command_options& opts);

/// The first line of `path`, trimmed; throws lockstep::error naming the file
/// when it cannot be read or holds no token.
std::string read_token_file(const std::string& path);

}  // namespace lockstep::cli
