#include "signal_watcher.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace lockstep::cli {

signal_watcher::signal_watcher(std::function<void(int)> on_signal) {
  sigemptyset(&signals_);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
    sigaddset(&signals_, s);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  signal_fd_ = signalfd(-1, &signals_, SFD_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (signal_fd_ < 0 || wake_fd_ < 0)
    throw std::runtime_error(std::string{"signals cannot be watched: "} + std::strerror(errno));
  thread_ = std::thread{[this, f = std::move(on_signal)] {
    for (;;) {
      pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR)
          continue;
        return;
      }
      if (fds[1].revents != 0)
        return;  // the watcher ends
      signalfd_siginfo info{};
      if (read(signal_fd_, &info, sizeof info) != static_cast<ssize_t>(sizeof info))
        continue;
      signal_ = static_cast<int>(info.ssi_signo);
      f(signal_);
      return;  // one signal ends the run; a second finds it ending
    }
  }};
}

signal_watcher::~signal_watcher() {
  std::uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) < 0) {
    // An eventfd write fails only on overflow, which one write cannot reach.
  }
  thread_.join();
  close(signal_fd_);
  close(wake_fd_);
  // A SIGPIPE left pending on this thread by a write to a closed pipe would
  // kill the process once unblocked: drop it.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  timespec zero{0, 0};
  while (sigtimedwait(&pipe_only, nullptr, &zero) == SIGPIPE) {
  }
  pthread_sigmask(SIG_UNBLOCK, &signals_, nullptr);
}

void die_of(int signo) {
  ::signal(signo, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signo);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  ::raise(signo);
  std::_Exit(128 + signo);  // the default action of every signal taken above ends the process
}

}  // namespace lockstep::cli
