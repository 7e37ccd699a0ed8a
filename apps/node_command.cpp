#include "node_command.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>
#include <thread>

#include <unistd.h>

#include "all_sources.hpp"
#include "cli_checks.hpp"
#include "exit_status.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/config.hpp"
#include "lockstep/runtime/log.hpp"

namespace lockstep::cli {

namespace {

// Reads stdin to its end on a thread of its own, then stops the node as
// SIGTERM does: serve_node takes SIGINT and SIGTERM with sigwait, and they
// are blocked here first so that this thread, and CAF's, inherit the mask
// and the signal reaches that sigwait.
void stop_when_stdin_ends() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread{[] {
    char buf[256];
    ssize_t n;
    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    }
    kill(getpid(), SIGTERM);
  }}.detach();
}

}  // namespace

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
  cmd
    ->add_option("--workers", o.node.workers,
                 "Worker threads per run (at most " + std::to_string(max_workers) + ")")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd->add_option("--token-file", o.token_file,
                  "File holding the token runs must present (required beyond loopback)");
  cmd->add_option("--heartbeat", o.heartbeat_s, "Seconds between heartbeats to peers")
    ->default_str(ms_as_seconds(o.node.heartbeat_interval));
  cmd
    ->add_option("--connection-timeout", o.connection_timeout_s,
                 "Seconds of silence after which a peer is lost")
    ->default_str(ms_as_seconds(o.node.connection_timeout));
  cmd->add_flag("--exit-with-stdin", o.exit_with_stdin,
                "Stop when stdin reaches its end: a node whose stdin is a pipe from the client "
                "that started it (--node-launch, --spawn-nodes) ends with that client, even one "
                "killed with SIGKILL, also through ssh (set by LOCKSTEP_EXIT_WITH_STDIN=1 too, "
                "which the client puts in its nodes' environment)");
  cmd->add_option("--handshake-timeout", o.handshake_timeout_s,
                  "Seconds a new connection has to prove the token before it is closed")
    ->default_str(ms_as_seconds(o.node.handshake_timeout));
  cmd
    ->add_option("--log-level", o.log_level,
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
    if (o.node.workers > max_workers)
      throw error(errc::invalid_config, "--workers is " + std::to_string(o.node.workers)
                                          + "; at most " + std::to_string(max_workers)
                                          + " are supported");
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
    const char* env = std::getenv("LOCKSTEP_EXIT_WITH_STDIN");
    if (o.exit_with_stdin || (env != nullptr && std::string_view{env} == "1"))
      stop_when_stdin_ends();
    return serve_node(o.node, tools::all_sources());
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep node: %s\n", e.what());
    return exit_usage;
  }
}

}  // namespace lockstep::cli
