// A node's door: accepts TCP itself and hands a connection to CAF only after
// its lockstep preamble proved the token (private header).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lockstep/detail/event_log.hpp"
#include "lockstep/detail/preamble.hpp"

namespace lockstep::detail {

/// The connections that have not finished their preamble, as plain state.
///
/// Guarantees: at most `per_peer` pending from one peer address and `total`
/// in all; a connection over a bound evicts the oldest one of that peer
/// (or, for the total, of anyone), so a real client, whose preamble follows
/// its connect at once, gets through a flood of idle connections; a
/// connection is pending no longer than its deadline.
class gate_table {
 public:
  using clock = std::chrono::steady_clock;

  struct entry {
    int fd = -1;
    std::string peer;
    clock::time_point deadline;
    std::uint64_t order = 0;  ///< accept order: smaller is older
    preamble::hello_bytes bytes{};
    std::size_t got = 0;
  };

  gate_table(std::size_t per_peer, std::size_t total) : per_peer_(per_peer), total_(total) {}

  /// Adds a connection; returns the descriptors evicted to make room.
  std::vector<int> add(int fd, const std::string& peer, clock::time_point deadline);
  /// Descriptors whose deadline has passed (removed from the table).
  std::vector<int> expired(clock::time_point now);
  /// The entry of `fd`, or null.
  entry* find(int fd);
  void remove(int fd);
  /// The earliest deadline, if any.
  bool earliest(clock::time_point& out) const;
  std::size_t size() const { return entries_.size(); }
  std::size_t from(const std::string& peer) const;
  std::vector<int> fds() const;

 private:
  std::size_t per_peer_;
  std::size_t total_;
  std::uint64_t next_ = 0;
  std::map<int, entry> entries_;  ///< by descriptor
};

struct gate_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string token;  ///< empty: none required (loopback only)
  std::chrono::milliseconds handshake_timeout{5000};
  std::size_t max_pending_per_peer = 8;
  std::size_t max_pending = 64;
  /// Takes a connection that passed its preamble (its owner from then on).
  std::function<void(int fd, std::uint16_t port)> admit;
  event_log log;
};

/// Counters, for tests and logs.
struct gate_counts {
  std::uint64_t accepted = 0;
  std::uint64_t admitted = 0;
  std::uint64_t refused = 0;    ///< wrong token, another version, or not a lockstep hello
  std::uint64_t timed_out = 0;  ///< no complete preamble before the deadline
  std::uint64_t evicted = 0;    ///< over the per-peer or total bound
  std::size_t pending = 0;
};

/// Listens on host:port (throws lockstep::error: invalid_config when the
/// address is not loopback and there is no token — decided on every address
/// the host resolves to and on the address bound, not on the name —
/// io_error when it cannot resolve or bind), and serves the door on a
/// thread of its own until destroyed. Per connection it holds one
/// preamble::hello_size buffer; a connection is closed when its preamble is
/// wrong, incomplete at `handshake_timeout`, or evicted over a bound.
class node_gate {
 public:
  explicit node_gate(gate_options options);
  ~node_gate();
  node_gate(const node_gate&) = delete;
  node_gate& operator=(const node_gate&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  gate_counts counts() const;

 private:
  void run();
  void on_readable(int fd);
  void accept_all();
  void drop(int fd);

  gate_options opt_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::uint16_t port_ = 0;
  gate_table table_;
  std::atomic<std::uint64_t> accepted_{0}, admitted_{0}, refused_{0}, timed_out_{0}, evicted_{0};
  std::atomic<std::size_t> pending_{0};
  gate_table::clock::time_point accept_paused_until_{};
  std::thread thread_;
};

/// Whether every address `host` resolves to is a loopback address (false
/// when it does not resolve).
bool resolves_to_loopback(const std::string& host);

/// Connects to host:port within `timeout`, sends the preamble with `token`
/// and reads the node's answer. Returns a connected, blocking descriptor on
/// `welcome`; otherwise -1 with `refusal` set (a final answer of the node)
/// or, for anything a retry may mend, `refusal` left at welcome and `why`
/// saying what failed.
int dial_node(const std::string& host, std::uint16_t port, const std::string& token,
              std::chrono::milliseconds timeout, preamble_answer& refusal, std::string& why);

}  // namespace lockstep::detail
