#include "raw_tcp.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../child_process.hpp"

namespace lockstep::bench {

namespace {

/// A socket closed when it goes out of scope.
class socket_fd {
 public:
  explicit socket_fd(int fd) : fd_(fd) {
    if (fd_ < 0)
      fail("socket");
  }
  ~socket_fd() { ::close(fd_); }
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  int get() const { return fd_; }

  [[noreturn]] static void fail(const char* what) {
    throw std::runtime_error(std::string{"raw_tcp: "} + what + ": " + std::strerror(errno));
  }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

/// Reads exactly `n` bytes; false at end of stream.
bool read_whole(int fd, void* out, std::size_t n) {
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    auto got = ::recv(fd, p, n, MSG_WAITALL);
    if (got == 0)
      return false;
    if (got < 0) {
      if (errno == EINTR)
        continue;
      socket_fd::fail("recv");
    }
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

void write_whole(int fd, const void* in, std::size_t n) {
  auto* p = static_cast<const char*>(in);
  while (n > 0) {
    auto put = ::send(fd, p, n, MSG_NOSIGNAL);
    if (put < 0) {
      if (errno == EINTR)
        continue;
      socket_fd::fail("send");
    }
    p += put;
    n -= static_cast<std::size_t>(put);
  }
}

}  // namespace

throughput raw_tcp_rate(const workload& w) {
  socket_fd listener{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  auto addr = loopback(0);
  socklen_t len = sizeof addr;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::listen(listener.get(), 1) != 0
      || ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    socket_fd::fail("listen");
  child_process sender{
    {self_executable(), "raw-tcp-send", "--port", std::to_string(ntohs(addr.sin_port)), "--bytes",
     std::to_string(w.params.item_bytes), "--batches", std::to_string(w.total())}};
  // A sender that fails to start must not leave this process waiting forever.
  pollfd ready{listener.get(), POLLIN, 0};
  if (::poll(&ready, 1, 10'000) != 1)
    throw std::runtime_error("raw_tcp: the sender did not connect within 10 s");
  socket_fd conn{::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC)};

  std::vector<std::uint8_t> batch(w.params.item_bytes);
  auto usage = process_usage::now();
  auto start = bench_clock::now();
  for (std::uint64_t i = 0; i < w.total(); ++i) {
    if (i == w.warmup) {
      usage = process_usage::now();
      start = bench_clock::now();
    }
    std::uint64_t index = 0;
    if (!read_whole(conn.get(), &index, sizeof index)
        || !read_whole(conn.get(), batch.data(), batch.size()))
      throw std::runtime_error("raw_tcp: the stream ended at batch " + std::to_string(i));
    if (index != i)
      throw std::runtime_error("raw_tcp: batch " + std::to_string(index) + " where "
                               + std::to_string(i) + " was due");
  }
  auto n = static_cast<double>(w.batches);
  throughput t{n / seconds_since(start), (process_usage::now() - usage).per(n)};
  if (sender.wait() != 0)
    throw std::runtime_error("raw_tcp: the sender failed");
  return t;
}

int raw_tcp_send_child(int argc, char** argv) {
  std::uint16_t port = 0;
  std::uint64_t bytes = 0;
  std::uint64_t batches = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view key{argv[i]};
    auto value = std::stoull(argv[i + 1]);
    if (key == "--port")
      port = static_cast<std::uint16_t>(value);
    else if (key == "--bytes")
      bytes = value;
    else if (key == "--batches")
      batches = value;
  }
  try {
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    auto addr = loopback(port);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      socket_fd::fail("connect");
    // One buffer: the index, then the content of batch 0 of the synthetic
    // source, filled once. What is measured is the transport, not the fill.
    std::vector<std::uint8_t> frame(sizeof(std::uint64_t) + bytes);
    synthetic::fill(1, frame.data() + sizeof(std::uint64_t), bytes);
    for (std::uint64_t i = 0; i < batches; ++i) {
      std::memcpy(frame.data(), &i, sizeof i);
      write_whole(s.get(), frame.data(), frame.size());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lockstep_bench raw-tcp-send: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace lockstep::bench
