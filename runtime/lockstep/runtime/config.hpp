// How a batcher runs: workers, buffer, retries, remote nodes. API.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/messages/node_address.hpp"
#include "lockstep/messages/retry_policy.hpp"

namespace lockstep {

/// The number of hardware threads, at least 1: the default worker count.
std::size_t default_workers();

/// Bounds config::validate() enforces (absurd values are refused, not
/// wrapped or truncated): worker threads, per process or per node.
constexpr std::size_t max_workers = 4096;
/// Materialized batches held ahead of the client.
constexpr std::size_t max_buffer = std::size_t{1} << 20;
/// The largest byte budget for what is materialized and in flight: 1 TiB.
constexpr std::size_t max_buffer_bytes = std::size_t{1} << 40;
/// Jobs a worker (local or remote) may hold at once.
constexpr std::size_t max_prefetch = 1024;
constexpr std::size_t max_scheduler_threads = 256;
constexpr std::uint32_t max_retries = 1000;
/// The first and the longest delay between retries: 1e9 ms.
constexpr std::chrono::nanoseconds max_retry_delay = std::chrono::milliseconds{1000000000};
/// Nodes started by one batcher, and restarts of each.
constexpr std::size_t max_spawned_nodes = 1024;
constexpr std::size_t max_spawn_restarts = 1000;

/// Remote worker nodes (`lockstep node`, or a binary calling serve_node).
struct remote_config {
  /// Nodes to use, as "host:port" ("[v6addr]:port" for IPv6).
  std::vector<std::string> nodes{};
  /// Presented to every node; nodes listening beyond loopback require one.
  std::string token{};
  /// Start this many `lockstep node` processes on loopback and use them.
  std::size_t spawn = 0;
  /// The program spawned nodes run. It is called as `PROGRAM node --listen
  /// 127.0.0.1:0 --log-level warning [--workers W]` and must print its
  /// "listening on" line like `lockstep node`.
  std::string node_program = "lockstep";
  /// Workers per spawned node (0: the node's default).
  std::size_t node_workers = 0;
  /// A spawned node that exits on its own (a crash) is started again on its
  /// port, where the run reconnects to it, at most this many times per node.
  std::size_t spawn_restarts = 3;
  /// Shell commands that each start a node elsewhere (e.g. over ssh) and
  /// print its "listening on HOST:PORT" line.
  std::vector<std::string> launch{};

  /// With no worker at all for this long, the run fails.
  std::chrono::milliseconds no_worker_timeout{30000};
  /// CAF heartbeats, and how long a silent peer is tolerated: a frozen or cut
  /// off node is declared lost within connection_timeout.
  std::chrono::milliseconds heartbeat_interval{1000};
  std::chrono::milliseconds connection_timeout{5000};
  /// Limit for connecting to a node and for its handshake; also how long a
  /// batcher's constructor keeps trying a node it cannot reach yet.
  std::chrono::milliseconds connect_timeout{5000};
  /// How often an unreachable or lost node is tried again.
  std::chrono::milliseconds reconnect_interval{1000};
  /// Jobs a remote worker may hold, to hide the network's round trip.
  std::size_t prefetch = 2;
  /// Shared memory (/dev/shm) offered to each node, reserved when the node
  /// is connected: a node on this host writes its outputs there and the
  /// socket carries only where they lie. An output that does not fit at
  /// the moment, and every output of a node on another host, goes on the
  /// socket. 0: off. Otherwise at least 1 MiB; the default holds four
  /// 8 MB outputs for each of two workers.
  std::size_t shm_bytes = std::size_t{64} << 20;

  bool used() const { return !nodes.empty() || spawn > 0 || !launch.empty(); }
};

/// Every field has a default, so a config can be written as
/// `{.workers = 4, .buffer = 9}`.
struct config {
  /// Local worker threads. 0 with no remote nodes: one stand-in worker
  /// materializes, one batch at a time, and the window is the buffer alone.
  std::size_t workers = default_workers();
  /// Materialized batches held ahead of the client; none: 2 × W + 1, where W
  /// counts every worker in the pool, local and remote, as it is now. At most
  /// buffer + W batches are materialized or in flight.
  std::optional<std::size_t> buffer{};
  /// A budget in bytes for what is materialized and in flight, for batches
  /// too small for `buffer` to count: the window holds as many batches as
  /// the budget fits, each reckoned at the largest output seen so far plus
  /// 256 B of bookkeeping, but never fewer than W + 1 (every worker busy)
  /// and, where `buffer` is set, never more than buffer + W. Until the first
  /// output is seen the window is buffer + W. Unset (the default): the
  /// window is buffer + W, as the contract states. Sources whose outputs are
  /// not tensors or vectors say their size with output_bytes() (source.hpp).
  std::optional<std::size_t> buffer_bytes{};
  retry_policy retry{};
  /// Jobs a local worker may hold at once: with 2, the next job is already
  /// there when one ends. A job queued behind a slow one is stolen by an idle
  /// worker, so stragglers do not hold it up. 1: a worker takes a job only
  /// when free.
  std::size_t worker_prefetch = 2;
  /// Start with one local worker and add the others evenly over this time
  /// (batch-orchestra's gradual ramp-up: a downstream system sees the load
  /// grow instead of jump). 0, the default: every worker from the start.
  /// batcher::set_workers ends a ramp.
  std::chrono::milliseconds rampup{0};
  /// A batch out at a worker longer than this is reported stuck: in
  /// stats().stuck, and once in the log. None, the default: 10 × the median
  /// of recent materialize times (per job), at least 1 s.
  std::optional<std::chrono::milliseconds> stuck_after{};
  /// Straggler hedging: when the batch the client is due to get next has
  /// run longer than `hedge_after` and a worker is idle, a second attempt of
  /// it goes to that worker, and the first result is delivered (a batch is a
  /// pure function of its state, so both are the same). At most one hedge
  /// per batch and `max_hedges` at once, which may add that many outputs to
  /// what is materialized. hedge_after none: the 95th percentile of recent
  /// job times, at least 1 ms.
  bool hedge = true;
  std::size_t max_hedges = 1;
  std::optional<std::chrono::milliseconds> hedge_after{};
  /// Threads of CAF's scheduler, which runs the manager, feeder and collector
  /// (local workers have threads of their own).
  std::size_t scheduler_threads = 2;
  /// Batches are allocated by worker threads and freed by yours; glibc gives
  /// each thread its own arena and keeps a thread's freed blocks in it, so
  /// peak memory runs 30-40 % past buffer + workers batches. With this set,
  /// the first batcher limits glibc to one arena (mallopt M_ARENA_MAX) for
  /// the whole process, where freed batches are reused by whichever thread
  /// allocates next. Off by default: a library does not change the process's
  /// allocator behind its embedder's back (the `lockstep` command turns it on).
  bool tune_allocator = false;
  remote_config remote{};

  /// Throws lockstep::error(errc::invalid_config) naming the first bad field
  /// by its JSON name (e.g. "config.retry.first_delay_ms").
  void validate() const;
};

/// A config from JSON text, every field optional (the defaults above):
///
///     {"workers": 4, "buffer": 9, "buffer_bytes": 1048576, "worker_prefetch": 2,
///      "rampup_ms": 0, "stuck_after_ms": 10000, "hedge": true, "max_hedges": 1,
///      "hedge_after_ms": 20, "scheduler_threads": 2,
///      "tune_allocator": false,
///      "retry": {"max_retries": 4, "first_delay_ms": 50, "factor": 5,
///                "jitter": 0.1, "max_delay_ms": 10000},
///      "remote": {"nodes": ["host:port"], "token": "...", "spawn": 0,
///                 "node_workers": 0, "spawn_restarts": 3, "launch": ["ssh host lockstep node
///                 ..."], "no_worker_timeout_ms": 30000, "heartbeat_ms": 1000,
///                 "connection_timeout_ms": 5000, "connect_timeout_ms": 5000,
///                 "reconnect_interval_ms": 1000, "prefetch": 2,
///                 "shm_bytes": 67108864}}
///
/// Throws lockstep::error(invalid_config) naming `origin` and the field: text
/// that is not JSON, an unknown key (with the known ones), a wrong type, a
/// value out of range, or what validate() rejects.
config config_from_json(std::string_view text, std::string_view origin = "config");

/// config_from_json of a file's text; the error names the file.
config read_config(const std::string& file);

/// "host:port" or "[v6]:port" → node_address; throws lockstep::error
/// (invalid_config) naming the address and the problem. Port 0 ("any free
/// port") only where a node listens.
node_address parse_node_address(const std::string& text, bool allow_any_port = false);

}  // namespace lockstep
