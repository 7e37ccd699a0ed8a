// What a batcher reports about its run, readable at any time without blocking. API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep {

enum class run_status {
  stopped,  ///< never started
  running,  ///< a run is under way
  done,     ///< the source ended and the client took the end
  closed,   ///< stop() was called
  failed,   ///< a batch failed every attempt, or no worker was left
};

std::string_view to_string(run_status s);

/// A status with the error that caused `failed` (empty otherwise).
/// `paused`: pause() was called and resume() not yet; the run stays
/// `running` (take() delivers what is buffered, then waits).
struct status_report {
  run_status status = run_status::stopped;
  std::string error{};
  bool paused = false;
};

/// A batch of the live run out at a worker: the oldest one, or one in
/// flight longer than config::stuck_after.
struct in_flight_batch {
  std::uint64_t index = 0;    ///< its position in the run (0: the run's first batch)
  std::string state;          ///< the state after it, as the source describes it
  std::uint64_t worker = 0;   ///< the worker it is at (a number, unique per batcher)
  std::uint32_t attempt = 1;  ///< 1: its first attempt
  double age_seconds = 0;     ///< since its job was handed out
};

/// A worker of the pool and how busy it is. Busy time is what the worker
/// reports materializing (decoding included, for a remote one) plus the age
/// of the job it works on now.
struct worker_stats {
  std::uint64_t worker = 0;  ///< as in in_flight_batch::worker
  std::string node{};        ///< a remote worker's node, "host:port"; empty: local
  double busy = 0;           ///< recent busy fraction, 0 to 1 (an EWMA over ~3 s)
  double busy_seconds = 0;   ///< since it joined
  std::uint64_t jobs = 0;    ///< jobs it reported (a chunk of batches is one)
};

/// What a batcher reports about its work. The first group is cumulative
/// over the batcher's lifetime; the second describes the live run now, and
/// always adds up: run_delivered + ahead + in_flight == issued.
struct run_stats {
  std::uint64_t delivered = 0;        ///< batches handed to the client
  std::uint64_t bytes_delivered = 0;  ///< their outputs' bytes, as the source counts them
  std::uint64_t retries = 0;          ///< failed attempts that were retried
  std::uint64_t restarts = 0;         ///< runs started (by start or a mismatched take)
  std::uint64_t workers_lost = 0;     ///< workers that died or whose node was lost
  std::uint64_t hedges = 0;           ///< second attempts of a straggling head batch
  std::uint64_t hedges_won = 0;       ///< ... whose result came first
  double take_wait_seconds = 0;       ///< time take() spent waiting for a batch
  double rate = 0;                    ///< batches/s delivered, recent (an EWMA over ~3 s)

  std::uint64_t issued = 0;         ///< batches of the live run iterated and handed on
  std::uint64_t run_delivered = 0;  ///< ... of them taken by the client
  std::uint64_t ahead = 0;          ///< ... materialized, waiting for the client
  std::uint64_t in_flight = 0;      ///< ... waiting for or at a worker

  /// Out at a worker the longest, and every batch out longer than
  /// stuck_after, oldest first; as of the last check (a few times per
  /// stuck_after), so they may lag by that much.
  std::optional<in_flight_batch> oldest{};
  std::vector<in_flight_batch> stuck{};
  std::uint64_t stuck_reported = 0;  ///< batches ever found stuck (each once)

  /// The pool now, by worker number; as of the feeder's last report (a few
  /// times per stuck_after while jobs are out, and when the pool changes or
  /// goes idle).
  std::vector<worker_stats> workers{};
};

}  // namespace lockstep
