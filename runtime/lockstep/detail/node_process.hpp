// A node started as a child process, and ended with its owner.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace lockstep::detail {

/// Starts a node process, reads the "listening on HOST:PORT" line it prints
/// on stdout, and ends it (SIGTERM to its process group, SIGKILL after two
/// seconds) when destroyed. The child also gets SIGTERM if this process dies
/// first, so no node outlives its run. Later output of the child goes to
/// this process's stderr.
class node_process {
 public:
  /// Runs `argv[0]` with arguments `argv` (no shell).
  static node_process spawn(const std::vector<std::string>& argv,
                            std::chrono::milliseconds timeout);

  /// Runs `command` through /bin/sh -c (e.g. "ssh host lockstep node ...").
  static node_process launch(const std::string& command, std::chrono::milliseconds timeout);

  node_process(node_process&& other) noexcept;
  node_process& operator=(node_process&&) = delete;
  node_process(const node_process&) = delete;
  ~node_process();

  /// "host:port" from the listening line.
  const std::string& address() const noexcept { return address_; }
  pid_t pid() const noexcept { return pid_; }

 private:
  node_process(pid_t pid, int out_fd, std::string what);
  void await_listening(std::chrono::milliseconds timeout);
  void end();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string what_;  ///< the command, for messages
  std::string address_;
  std::thread forwarder_;
};

/// The absolute path of the running program (for spawning more of itself).
std::string current_program();

}  // namespace lockstep::detail
