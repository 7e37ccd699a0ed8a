#include "lockstep/detail/node_gate.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/node_address.hpp"

namespace lockstep::detail {

// --- gate_table ------------------------------------------------------------

std::vector<int> gate_table::add(int fd, const std::string& peer, clock::time_point deadline) {
  std::vector<int> evicted;
  auto evict_oldest = [&](bool same_peer) {
    auto oldest = entries_.end();
    for (auto i = entries_.begin(); i != entries_.end(); ++i)
      if ((!same_peer || i->second.peer == peer)
          && (oldest == entries_.end() || i->second.order < oldest->second.order))
        oldest = i;
    if (oldest == entries_.end())
      return false;
    evicted.push_back(oldest->first);
    entries_.erase(oldest);
    return true;
  };
  while (from(peer) >= per_peer_ && evict_oldest(true)) {
  }
  while (entries_.size() >= total_ && evict_oldest(false)) {
  }
  entry e;
  e.fd = fd;
  e.peer = peer;
  e.deadline = deadline;
  e.order = next_++;
  entries_[fd] = std::move(e);
  return evicted;
}

std::vector<int> gate_table::expired(clock::time_point now) {
  std::vector<int> out;
  for (auto i = entries_.begin(); i != entries_.end();) {
    if (i->second.deadline <= now) {
      out.push_back(i->first);
      i = entries_.erase(i);
    } else {
      ++i;
    }
  }
  return out;
}

gate_table::entry* gate_table::find(int fd) {
  auto i = entries_.find(fd);
  return i == entries_.end() ? nullptr : &i->second;
}

void gate_table::remove(int fd) {
  entries_.erase(fd);
}

bool gate_table::earliest(clock::time_point& out) const {
  if (entries_.empty())
    return false;
  out = entries_.begin()->second.deadline;
  for (auto& [fd, e] : entries_)
    out = std::min(out, e.deadline);
  return true;
}

std::size_t gate_table::from(const std::string& peer) const {
  return static_cast<std::size_t>(std::count_if(
    entries_.begin(), entries_.end(), [&](const auto& kv) { return kv.second.peer == peer; }));
}

std::vector<int> gate_table::fds() const {
  std::vector<int> out;
  for (auto& [fd, e] : entries_)
    out.push_back(fd);
  return out;
}

// --- addresses -----------------------------------------------------------------

namespace {

bool is_loopback_address(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    auto a = ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr);
    return (a >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    auto& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a))
      return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return false;
}

std::string peer_name(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  return buf;
}

struct addrinfo_list {
  addrinfo* head = nullptr;
  ~addrinfo_list() {
    if (head)
      freeaddrinfo(head);
  }
};

// Resolves host:port; returns the getaddrinfo error (0 on success).
int resolve(const std::string& host, std::uint16_t port, bool passive, addrinfo_list& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  auto service = std::to_string(port);
  return getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &out.head);
}

std::string where(const std::string& host, std::uint16_t port) {
  return node_address{host, port}.name();
}

void set_nonblocking(int fd, bool on) {
  auto flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

}  // namespace

bool resolves_to_loopback(const std::string& host) {
  addrinfo_list list;
  if (resolve(host, 0, false, list) != 0 || list.head == nullptr)
    return false;
  for (auto* ai = list.head; ai != nullptr; ai = ai->ai_next)
    if (!is_loopback_address(ai->ai_addr))
      return false;
  return true;
}

// --- node_gate -------------------------------------------------------------------

node_gate::node_gate(gate_options options)
    : opt_(std::move(options)), table_(opt_.max_pending_per_peer, opt_.max_pending) {
  addrinfo_list list;
  if (auto rc = resolve(opt_.host, opt_.port, true, list); rc != 0 || list.head == nullptr)
    throw error(errc::io_error, "cannot listen on " + where(opt_.host, opt_.port)
                                  + ": cannot resolve " + opt_.host + " (" + gai_strerror(rc)
                                  + ")");
  // The rule is about addresses: a name is only as local as what it names.
  if (opt_.token.empty())
    for (auto* ai = list.head; ai != nullptr; ai = ai->ai_next)
      if (!is_loopback_address(ai->ai_addr))
        throw error(errc::invalid_config, "listening on " + opt_.host + " ("
                                            + peer_name(ai->ai_addr)
                                            + ", beyond loopback) requires a token (--token-file)");
  std::string last_error = "no address";
  for (auto* ai = list.head; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      last_error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    listen_fd_ = fd;
  }
  if (listen_fd_ < 0)
    throw error(errc::io_error,
                "cannot listen on " + where(opt_.host, opt_.port) + ": " + last_error);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  auto* sa = reinterpret_cast<sockaddr*>(&bound);
  if (opt_.token.empty() && !is_loopback_address(sa)) {
    ::close(listen_fd_);
    throw error(errc::invalid_config, "listening on " + opt_.host + " (bound " + peer_name(sa)
                                        + ", beyond loopback) requires a token (--token-file)");
  }
  port_ = ntohs(sa->sa_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(sa)->sin6_port
                                          : reinterpret_cast<sockaddr_in*>(sa)->sin_port);
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(listen_fd_);
    throw error(errc::io_error, std::string{"cannot make a pipe: "} + std::strerror(errno));
  }
  thread_ = std::thread{[this] { run(); }};
}

node_gate::~node_gate() {
  char c = 0;
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  thread_.join();
  for (int fd : table_.fds())
    ::close(fd);
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

gate_counts node_gate::counts() const {
  return {accepted_.load(),  admitted_.load(), refused_.load(),
          timed_out_.load(), evicted_.load(),  pending_.load()};
}

void node_gate::drop(int fd) {
  table_.remove(fd);
  ::close(fd);
}

void node_gate::on_readable(int fd) {
  auto* e = table_.find(fd);
  if (e == nullptr)
    return;
  auto n = ::recv(fd, e->bytes.data() + e->got, e->bytes.size() - e->got, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0)  // closed or failed before a whole preamble: nothing to say
    return drop(fd);
  e->got += static_cast<std::size_t>(n);
  if (e->got < e->bytes.size())
    return;
  bool magic_ok = false;
  auto answer = preamble::check(e->bytes.data(), e->got, opt_.token, magic_ok);
  auto peer = e->peer;
  if (!magic_ok) {
    ++refused_;
    return drop(fd);  // not lockstep at all: nothing to answer
  }
  auto reply = preamble::answer(answer);
  auto sent = ::send(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (answer != preamble_answer::welcome || sent != static_cast<ssize_t>(reply.size())) {
    ++refused_;
    if (answer != preamble_answer::welcome && opt_.log)
      opt_.log(event_level::warning,
               "refused a run from " + peer + ": " + preamble::describe(answer, preamble::version));
    return drop(fd);
  }
  table_.remove(fd);
  ++admitted_;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  opt_.admit(fd, port_);
}

void node_gate::accept_all() {
  for (;;) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int fd =
      accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment rather than spin.
        accept_paused_until_ = gate_table::clock::now() + std::chrono::milliseconds{100};
      }
      return;
    }
    ++accepted_;
    auto deadline = gate_table::clock::now() + opt_.handshake_timeout;
    for (int old : table_.add(fd, peer_name(reinterpret_cast<sockaddr*>(&peer)), deadline)) {
      ++evicted_;
      ::close(old);
    }
  }
}

void node_gate::run() {
  std::vector<pollfd> fds;
  for (;;) {
    auto now = gate_table::clock::now();
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    bool accepting = now >= accept_paused_until_;
    fds.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});
    for (int fd : table_.fds())
      fds.push_back({fd, POLLIN, 0});
    int timeout_ms = -1;
    gate_table::clock::time_point next{};
    bool timed = table_.earliest(next);
    if (!accepting) {
      next = timed ? std::min(next, accept_paused_until_) : accept_paused_until_;
      timed = true;
    }
    if (timed) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 60000));
    }
    int rc = ::poll(fds.data(), fds.size(), timeout_ms);
    if (rc < 0 && errno != EINTR)
      return;
    if (fds[0].revents != 0)
      return;
    for (std::size_t i = 2; i < fds.size(); ++i)
      if (fds[i].revents != 0)
        on_readable(fds[i].fd);
    for (int fd : table_.expired(gate_table::clock::now())) {
      ++timed_out_;
      ::close(fd);
    }
    if (fds[1].fd >= 0 && fds[1].revents != 0)
      accept_all();
    pending_ = table_.size();
  }
}

// --- the client's side ----------------------------------------------------------

namespace {

using clock = std::chrono::steady_clock;

int ms_left(clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
  return static_cast<int>(std::max<long long>(left, 0));
}

// Waits until fd is ready for `events` or the deadline passes.
bool wait_ready(int fd, short events, clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, ms_left(deadline));
    if (rc > 0)
      return true;
    if (rc == 0 || errno != EINTR)
      return false;
  }
}

}  // namespace

int dial_node(const std::string& host, std::uint16_t port, const std::string& token,
              std::chrono::milliseconds timeout, preamble_answer& refusal, std::string& why) {
  refusal = preamble_answer::welcome;
  auto deadline = clock::now() + timeout;
  addrinfo_list list;
  if (auto rc = resolve(host, port, false, list); rc != 0 || list.head == nullptr) {
    why = "cannot resolve " + host + " (" + gai_strerror(rc) + ")";
    return -1;
  }
  int fd = -1;
  why = "no address";
  for (auto* ai = list.head; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (wait_ready(fd, POLLOUT, deadline)) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (rc != 0) {
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  if (fd < 0)
    return -1;
  auto fail = [&](std::string what) {
    why = std::move(what);
    ::close(fd);
    return -1;
  };
  auto hello = preamble::hello(token);
  std::size_t sent = 0;
  while (sent < hello.size()) {
    if (!wait_ready(fd, POLLOUT, deadline))
      return fail("no room to send the lockstep preamble in time");
    auto n = ::send(fd, hello.data() + sent, hello.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return fail(std::string{"cannot send the lockstep preamble: "} + std::strerror(errno));
    if (n > 0)
      sent += static_cast<std::size_t>(n);
  }
  preamble::answer_bytes answer{};
  std::size_t got = 0;
  // Exactly the answer: what follows it is CAF's, read by CAF.
  while (got < answer.size()) {
    if (!wait_ready(fd, POLLIN, deadline))
      return fail("no answer to the lockstep preamble in time");
    auto n = ::recv(fd, answer.data() + got, answer.size() - got, 0);
    if (n == 0)
      return fail(
        "the connection closed during the lockstep preamble (not a lockstep node of "
        "this version?)");
    if (n < 0 && errno != EAGAIN && errno != EINTR)
      return fail(std::string{"cannot read the lockstep preamble: "} + std::strerror(errno));
    if (n > 0)
      got += static_cast<std::size_t>(n);
  }
  preamble_answer a{};
  std::uint32_t node_version = 0;
  if (!preamble::parse_answer(answer.data(), answer.size(), a, node_version))
    return fail(
      "the peer answered the lockstep preamble with something else (not a lockstep "
      "node?)");
  if (a != preamble_answer::welcome) {
    refusal = a;
    return fail(preamble::describe(a, node_version));
  }
  set_nonblocking(fd, false);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace lockstep::detail
