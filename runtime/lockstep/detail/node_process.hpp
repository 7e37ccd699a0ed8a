// A node started as a child process, and ended with its owner.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lockstep::detail {

/// A spawned node that exits on its own (a crash) is started again.
struct restart_policy {
  /// At most this many times over the node's life; 0: never.
  std::size_t max_restarts = 0;
  /// The command line of a restart, given the address the node listened on
  /// ("127.0.0.1:PORT"), so that it listens there again and the run's link
  /// to it reconnects.
  std::function<std::vector<std::string>(const std::string& address)> argv{};
};

/// Starts a node process, reads the "listening on HOST:PORT" line it prints
/// on stdout, and ends it (SIGTERM to its process group, SIGKILL after two
/// seconds) when destroyed. Later output of the child goes to this process's
/// stderr.
///
/// The child never outlives this process: it gets SIGTERM when the thread
/// that started it dies (PR_SET_PDEATHSIG, which a shell wrapper does not
/// pass on), and its stdin is a pipe whose other end only this process
/// holds, so it reads end-of-file when this process ends in any way, even by
/// SIGKILL. `lockstep node --exit-with-stdin` (or with LOCKSTEP_EXIT_WITH_STDIN
/// set, as it is in the child's environment) stops at that end-of-file.
class node_process {
 public:
  /// Runs `argv[0]` with arguments `argv` (no shell).
  static node_process spawn(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                            restart_policy restart = {});

  /// Runs `command` through /bin/sh -c (e.g. "ssh host lockstep node ...").
  static node_process launch(const std::string& command, std::chrono::milliseconds timeout);

  node_process(node_process&& other) noexcept;
  node_process& operator=(node_process&&) = delete;
  node_process(const node_process&) = delete;
  ~node_process();

  /// "host:port" from the listening line.
  const std::string& address() const noexcept;
  /// How often the node was started again.
  std::size_t restarts() const;

  struct impl;

 private:
  explicit node_process(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// SIGTERM to the process group of every node process alive in this
/// process, for a program about to end abruptly (while a batcher is still
/// being constructed).
void end_node_processes() noexcept;

/// The absolute path of the running program (for spawning more of itself).
std::string current_program();

}  // namespace lockstep::detail
