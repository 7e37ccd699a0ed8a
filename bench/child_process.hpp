// A child process spoken to through its stdin and stdout, one line at a time.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lockstep::bench {

/// Spawns argv[0] (a path) with pipes on its stdin and stdout, our
/// environment plus `env` ("NAME=value"), and our stderr. The destructor
/// closes its stdin and waits for it to exit.
class child_process {
 public:
  /// Throws std::runtime_error when the program cannot be started.
  explicit child_process(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Writes `line` and a newline; false when the child has gone.
  bool write_line(const std::string& line);

  /// The next line without its newline; nullopt at end of output.
  std::optional<std::string> read_line();

  /// Closes the child's stdin and waits for it; its exit status as from
  /// waitpid, or -1 when waiting failed.
  int wait();

 private:
  pid_t pid_ = -1;
  std::FILE* in_ = nullptr;   // the child's stdin
  std::FILE* out_ = nullptr;  // the child's stdout
};

/// This program's own path, for running a fresh copy of it.
std::string self_executable();

}  // namespace lockstep::bench
