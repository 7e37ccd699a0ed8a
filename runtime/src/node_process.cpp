#include "lockstep/detail/node_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockstep/detail/logger.hpp"
#include "lockstep/messages/errors.hpp"

extern char** environ;

namespace lockstep::detail {

namespace {

constexpr std::string_view listening_prefix = "listening on ";
constexpr const char* exit_with_stdin_env = "LOCKSTEP_EXIT_WITH_STDIN=1";

[[noreturn]] void fail(const std::string& what, const std::string& why) {
  throw error(errc::node_unreachable, "node process '" + what + "' " + why);
}

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (auto& a : argv)
    out += (out.empty() ? "" : " ") + a;
  return out;
}

// The process groups of the node processes alive, for end_node_processes().
struct registry {
  std::mutex mtx;
  std::set<pid_t> groups;
};
registry& live_groups() {
  static registry r;
  return r;
}

struct child {
  pid_t pid = -1;
  int out_fd = -1;       ///< its stdout
  int lifeline_fd = -1;  ///< its stdin: closed when this process ends
};

// This process's environment with LOCKSTEP_EXIT_WITH_STDIN=1 added, so a
// `lockstep node` behind a shell wrapper stops when its stdin closes.
struct child_environment {
  std::vector<std::string> strings;
  std::vector<char*> pointers;
  child_environment() {
    for (char** e = environ; *e != nullptr; ++e)
      if (std::strncmp(*e, "LOCKSTEP_EXIT_WITH_STDIN=", 25) != 0)
        strings.emplace_back(*e);
    strings.emplace_back(exit_with_stdin_env);
    for (auto& s : strings)
      pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
};

// Forks; the child runs `exec` with stdout into a pipe and stdin from a
// pipe only this process writes to, in its own process group, and dies with
// the thread that started it.
template <class Exec>
child fork_child(const std::string& what, Exec exec) {
  int out[2];
  int in[2];
  if (pipe2(out, O_CLOEXEC) != 0)
    fail(what, std::string{"could not be started: "} + std::strerror(errno));
  if (pipe2(in, O_CLOEXEC) != 0) {
    int err = errno;
    close(out[0]);
    close(out[1]);
    fail(what, std::string{"could not be started: "} + std::strerror(err));
  }
  auto parent = getpid();
  auto pid = fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {out[0], out[1], in[0], in[1]})
      close(fd);
    fail(what, std::string{"could not be started: "} + std::strerror(err));
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
    dup2(out[1], STDOUT_FILENO);
    dup2(in[0], STDIN_FILENO);
    exec();
    _exit(127);
  }
  setpgid(pid, pid);
  close(out[1]);
  close(in[0]);
  {
    auto& r = live_groups();
    std::lock_guard<std::mutex> lock{r.mtx};
    r.groups.insert(pid);
  }
  return {pid, out[0], in[1]};
}

child start(const std::vector<std::string>& argv) {
  // Built before fork: the child may only make async-signal-safe calls.
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  child_environment env;
  return fork_child(join(argv), [&] { execvpe(args[0], args.data(), env.pointers.data()); });
}

// Ends `c` (SIGTERM to its group, SIGKILL after two seconds) and reaps it;
// its descriptors stay open.
void stop(child& c) {
  if (c.pid <= 0)
    return;
  kill(-c.pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
  int status = 0;
  while (waitpid(c.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-c.pid, SIGKILL);
      waitpid(c.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  kill(-c.pid, SIGKILL);  // anything the node's group left behind
  {
    auto& r = live_groups();
    std::lock_guard<std::mutex> lock{r.mtx};
    r.groups.erase(c.pid);
  }
  c.pid = -1;
}

void close_fds(child& c) {
  for (int* fd : {&c.out_fd, &c.lifeline_fd})
    if (*fd >= 0) {
      close(*fd);
      *fd = -1;
    }
}

// Reads `c`'s stdout up to its "listening on HOST:PORT" line; returns the
// address. Ends `c` and throws when it prints none in time.
std::string await_listening(child& c, const std::string& what, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  for (;;) {
    auto newline = seen.find('\n');
    if (newline != std::string::npos) {
      auto line = seen.substr(0, newline);
      seen.erase(0, newline + 1);
      if (line.rfind(listening_prefix, 0) == 0)
        return line.substr(listening_prefix.size());
      continue;  // a launch command may print other lines first
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
    pollfd pfd{c.out_fd, POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      stop(c);
      close_fds(c);
      fail(what, "printed no \"listening on HOST:PORT\" line within "
                   + std::to_string(timeout.count()) + " ms");
    }
    char buf[512];
    auto n = read(c.out_fd, buf, sizeof buf);
    if (n <= 0) {
      stop(c);
      close_fds(c);
      fail(what, "exited before it printed \"listening on HOST:PORT\"");
    }
    seen.append(buf, static_cast<std::size_t>(n));
  }
}

// Whatever the node prints after its address goes to stderr (a full pipe
// would stall it); returns when its stdout closes, i.e. when it ends.
void forward(int fd) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0 && write(STDERR_FILENO, buf, static_cast<std::size_t>(n)) < 0)
      break;
}

}  // namespace

struct node_process::impl {
  std::string what;  ///< the command, for messages
  std::chrono::milliseconds timeout{};
  restart_policy restart;
  std::string address;
  std::thread keeper;  // forwards the output; restarts the node when it dies

  mutable std::mutex mtx;
  child current;        // guarded by mtx
  pid_t starting = -1;  // a restart waiting for its listening line
  bool ending = false;
  std::size_t restarts = 0;

  void keep(int fd) {
    for (;;) {
      forward(fd);
      child dead;
      {
        std::lock_guard<std::mutex> lock{mtx};
        if (ending || restarts >= restart.max_restarts)
          return;  // end() reaps it
        dead = std::exchange(current, child{});
      }
      stop(dead);  // reaps it
      close_fds(dead);
      fd = start_again();
      if (fd < 0)
        return;
    }
  }

  // Starts the node again on its address; its stdout, or -1 when ending or
  // out of restarts.
  int start_again() {
    for (;;) {
      std::size_t n;
      {
        std::lock_guard<std::mutex> lock{mtx};
        if (ending || restarts >= restart.max_restarts) {
          if (!ending)
            logger().warn(
              "node process '{}' exited and is not started again: its {} restarts "
              "are used up",
              what, restart.max_restarts);
          return -1;
        }
        n = ++restarts;
      }
      logger().warn("node process '{}' exited; starting it again on {} (restart {} of {})", what,
                    address, n, restart.max_restarts);
      try {
        auto argv = restart.argv(address);
        auto c = start(argv);
        bool go;
        {
          std::lock_guard<std::mutex> lock{mtx};
          go = !ending;
          if (go)
            starting = c.pid;
        }
        if (!go) {  // ending: end() did not see it
          stop(c);
          close_fds(c);
          return -1;
        }
        await_listening(c, join(argv), timeout);
        std::lock_guard<std::mutex> lock{mtx};
        starting = -1;
        if (ending) {
          stop(c);
          close_fds(c);
          return -1;
        }
        current = c;
        return c.out_fd;
      } catch (const error& e) {
        std::lock_guard<std::mutex> lock{mtx};
        starting = -1;
        logger().warn("{}", e.what());
      }
    }
  }

  void end() {
    child c;
    {
      std::lock_guard<std::mutex> lock{mtx};
      ending = true;
      c = current;
      if (starting > 0)
        kill(-starting, SIGTERM);  // its await_listening sees the end at once
    }
    stop(c);
    if (keeper.joinable())
      keeper.join();
    std::lock_guard<std::mutex> lock{mtx};
    close_fds(current);
    current = {};
  }
};

std::string current_program() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string{"lockstep"} : p.string();
}

void end_node_processes() noexcept {
  auto& r = live_groups();
  std::lock_guard<std::mutex> lock{r.mtx};
  for (auto g : r.groups)
    kill(-g, SIGTERM);
}

node_process::node_process(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

node_process node_process::spawn(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout, restart_policy restart) {
  auto p = std::make_unique<impl>();
  p->what = join(argv);
  p->timeout = timeout;
  p->restart = std::move(restart);
  p->current = start(argv);
  p->address = await_listening(p->current, p->what, timeout);
  p->keeper = std::thread{[q = p.get(), fd = p->current.out_fd] { q->keep(fd); }};
  return node_process{std::move(p)};
}

node_process node_process::launch(const std::string& command, std::chrono::milliseconds timeout) {
  auto p = std::make_unique<impl>();
  p->what = command;
  p->timeout = timeout;
  child_environment env;
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  p->current = fork_child(
    command, [&] { execve("/bin/sh", const_cast<char* const*>(argv), env.pointers.data()); });
  p->address = await_listening(p->current, p->what, timeout);
  p->keeper = std::thread{[q = p.get(), fd = p->current.out_fd] { q->keep(fd); }};
  return node_process{std::move(p)};
}

node_process::node_process(node_process&& other) noexcept = default;

node_process::~node_process() {
  if (impl_)
    impl_->end();
}

const std::string& node_process::address() const noexcept {
  return impl_->address;
}

std::size_t node_process::restarts() const {
  std::lock_guard<std::mutex> lock{impl_->mtx};
  return impl_->restarts;
}

}  // namespace lockstep::detail
