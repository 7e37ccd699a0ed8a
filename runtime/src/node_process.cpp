#include "lockstep/detail/node_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

namespace {

constexpr std::string_view listening_prefix = "listening on ";

[[noreturn]] void fail(const std::string& what, const std::string& why) {
  throw error(errc::node_unreachable, "node process '" + what + "' " + why);
}

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (auto& a : argv)
    out += (out.empty() ? "" : " ") + a;
  return out;
}

// Forks; the child runs `exec` with stdout into a pipe, in its own process
// group, and dies with its parent.
template <class Exec>
std::pair<pid_t, int> fork_with_pipe(const std::string& what, Exec exec) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    fail(what, std::string{"could not be started: "} + std::strerror(errno));
  auto parent = getpid();
  auto pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    fail(what, std::string{"could not be started: "} + std::strerror(errno));
  }
  if (pid == 0) {
    // The parent may block signals for a watcher thread; the node must not.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)  // the parent died before prctl
      _exit(127);
    dup2(fds[1], STDOUT_FILENO);
    exec();
    _exit(127);
  }
  setpgid(pid, pid);
  close(fds[1]);
  return {pid, fds[0]};
}

}  // namespace

std::string current_program() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{"lockstep"} : p.string();
}

node_process node_process::spawn(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout) {
  auto what = join(argv);
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto [pid, fd] = fork_with_pipe(what, [&] { execvp(args[0], args.data()); });
  node_process p{pid, fd, what};
  p.await_listening(timeout);
  return p;
}

node_process node_process::launch(const std::string& command, std::chrono::milliseconds timeout) {
  auto [pid, fd] = fork_with_pipe(command, [&] {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  });
  node_process p{pid, fd, command};
  p.await_listening(timeout);
  return p;
}

node_process::node_process(pid_t pid, int out_fd, std::string what)
    : pid_(pid), out_fd_(out_fd), what_(std::move(what)) {
}

node_process::node_process(node_process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      out_fd_(std::exchange(other.out_fd_, -1)),
      what_(std::move(other.what_)),
      address_(std::move(other.address_)),
      forwarder_(std::move(other.forwarder_)) {
}

node_process::~node_process() {
  end();
}

void node_process::await_listening(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  for (;;) {
    auto newline = seen.find('\n');
    if (newline != std::string::npos) {
      auto line = seen.substr(0, newline);
      seen.erase(0, newline + 1);
      if (line.rfind(listening_prefix, 0) == 0) {
        address_ = line.substr(listening_prefix.size());
        break;
      }
      continue;  // a launch command may print other lines first
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd pfd{out_fd_, POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      end();
      fail(what_, "printed no \"listening on HOST:PORT\" line within "
                    + std::to_string(timeout.count()) + " ms");
    }
    char buf[512];
    auto n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) {
      end();
      fail(what_, "exited before it printed \"listening on HOST:PORT\"");
    }
    seen.append(buf, static_cast<std::size_t>(n));
  }
  // Whatever the node prints later goes to stderr; a full pipe would stall it.
  forwarder_ = std::thread{[fd = out_fd_] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      if (write(STDERR_FILENO, buf, static_cast<std::size_t>(n)) < 0)
        break;
  }};
}

void node_process::end() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(-pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    kill(-pid_, SIGKILL);  // anything the node's group left behind
    pid_ = -1;
  }
  if (forwarder_.joinable())
    forwarder_.join();
  if (out_fd_ >= 0) {
    close(out_fd_);
    out_fd_ = -1;
  }
}

}  // namespace lockstep::detail
