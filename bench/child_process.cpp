#include "child_process.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace lockstep::bench {

child_process::child_process(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env) {
  int to_child[2];
  int from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string{"pipe: "} + std::strerror(errno));
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    throw std::runtime_error(std::string{"pipe: "} + std::strerror(errno));
  }
  // posix_spawn, not fork: this process has threads (TBB, CAF) by now.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> vars;
  for (char** e = environ; *e; ++e)
    vars.push_back(*e);
  for (auto& e : env)
    vars.push_back(const_cast<char*>(e.c_str()));
  vars.push_back(nullptr);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), vars.data());
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);
  if (rc != 0) {
    close(to_child[1]);
    close(from_child[0]);
    throw std::runtime_error(argv[0] + ": cannot be started: " + std::strerror(rc));
  }
  in_ = fdopen(to_child[1], "w");
  out_ = fdopen(from_child[0], "r");
}

child_process::~child_process() {
  wait();
}

bool child_process::write_line(const std::string& line) {
  if (!in_)
    return false;
  return std::fputs(line.c_str(), in_) >= 0 && std::fputc('\n', in_) != EOF
         && std::fflush(in_) == 0;
}

std::optional<std::string> child_process::read_line() {
  if (!out_)
    return std::nullopt;
  std::string line;
  for (int c; (c = std::fgetc(out_)) != EOF;) {
    if (c == '\n')
      return line;
    line.push_back(static_cast<char>(c));
  }
  if (line.empty())
    return std::nullopt;
  return line;
}

int child_process::wait() {
  if (in_) {
    std::fclose(in_);
    in_ = nullptr;
  }
  if (out_) {
    std::fclose(out_);
    out_ = nullptr;
  }
  if (pid_ < 0)
    return -1;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0)
    if (errno != EINTR) {
      status = -1;
      break;
    }
  pid_ = -1;
  return status;
}

std::string self_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

}  // namespace lockstep::bench
