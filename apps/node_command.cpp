#include "node_command.hpp"

#include <cstdio>
#include <fstream>

#include "all_sources.hpp"
#include "exit_status.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/log.hpp"

namespace lockstep::cli {

std::string read_token_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw error(errc::invalid_config, "--token-file " + path + ": cannot be read");
  std::string token;
  std::getline(in, token);
  auto first = token.find_first_not_of(" \t\r");
  auto last = token.find_last_not_of(" \t\r");
  if (first == std::string::npos)
    throw error(errc::invalid_config, "--token-file " + path + ": holds no token");
  return token.substr(first, last - first + 1);
}

CLI::App* add_node_command(CLI::App& app, node_command_options& o) {
  auto* cmd = app.add_subcommand("node", "Serve workers to runs on other machines");
  cmd->add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")
    ->capture_default_str();
  cmd->add_option("--workers", o.node.workers, "Worker threads per run")->capture_default_str();
  cmd->add_option("--token-file", o.token_file,
                  "File holding the token runs must present (required beyond loopback)");
  cmd->add_option("--heartbeat", o.heartbeat_s, "Seconds between heartbeats to peers")
    ->default_str(ms_as_seconds(o.node.heartbeat_interval));
  cmd->add_option("--connection-timeout", o.connection_timeout_s,
                  "Seconds of silence after which a peer is lost")
    ->default_str(ms_as_seconds(o.node.connection_timeout));
  cmd->add_option("--handshake-timeout", o.handshake_timeout_s,
                  "Seconds a new connection has to prove the token before it is closed")
    ->default_str(ms_as_seconds(o.node.handshake_timeout));
  cmd->add_option("--log-level", o.log_level,
                  "What to log on stderr: debug, info, warning (or warn), error")
    ->check(CLI::IsMember({"debug", "info", "warning", "warn", "error"}))
    ->capture_default_str();
  return cmd;
}

int run_node(node_command_options& o) {
  log_level level = log_level::info;
  parse_log_level(o.log_level, level);
  set_log_level(level);
  try {
    auto addr = parse_node_address(o.listen, true);
    o.node.host = addr.host;
    o.node.port = addr.port;
    if (!o.token_file.empty())
      o.node.token = read_token_file(o.token_file);
    if (o.heartbeat_s)
      o.node.heartbeat_interval = seconds_to_ms(*o.heartbeat_s, "--heartbeat");
    if (o.connection_timeout_s)
      o.node.connection_timeout = seconds_to_ms(*o.connection_timeout_s, "--connection-timeout");
    if (o.handshake_timeout_s)
      o.node.handshake_timeout = seconds_to_ms(*o.handshake_timeout_s, "--handshake-timeout");
    // As for `lockstep run`: outputs are freed on CAF's I/O thread once sent.
    o.node.tune_allocator = true;
    return serve_node(o.node, tools::all_sources());
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep node: %s\n", e.what());
    return exit_usage;
  }
}

}  // namespace lockstep::cli
