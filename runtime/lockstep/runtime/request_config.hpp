// How a request_batcher forms batches and queues requests. API.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace lockstep {

/// The longest max_delay, full_wait and a request's timeout may be: a day
/// is far beyond any batching wait, and keeps every deadline computed from
/// now well inside the clocks' range (larger values are refused).
inline constexpr std::chrono::hours request_wait_limit{24};

/// What submit() does when the queue is full.
enum class when_full {
  reject,  ///< answer queue_full at once
  wait,    ///< block the caller up to `full_wait` for room, then queue_full
};

struct request_batcher_config {
  /// A batch never holds more requests than this.
  std::size_t max_batch_size = 32;
  /// Sizes worth running at once without waiting for max_batch_size (a GPU
  /// kernel tuned for 8 and 16, say); ascending order not needed, each
  /// below max_batch_size. Empty: only the maximum and the deadline.
  std::vector<std::size_t> preferred_batch_sizes;
  /// The longest the oldest queued request waits for a batch to fill: a
  /// deadline from its arrival, not an idle gap between two requests.
  std::chrono::microseconds max_delay{5000};
  /// Model instances running batches in parallel.
  std::size_t instances = 1;
  /// Requests waiting for a batch (not counting running ones).
  std::size_t max_queue = 4096;
  when_full full_policy = when_full::reject;
  std::chrono::milliseconds full_wait{1000};
  /// When run_batch throws for a batch of several requests, run it again
  /// split in halves, recursively, so only the requests that fail alone
  /// get the error (see docs/request-batching.md for the bound).
  bool isolate_failures = false;
  /// Each instance on a thread of its own (run_batch may block: a GPU
  /// call, a sleep). false runs them on the actor system's scheduler, for
  /// tests under CAF's test coordinator.
  bool detach_instances = true;
};

enum class priority { normal, high };

struct submit_options {
  /// High-priority requests join batches before every normal one.
  priority level = priority::normal;
  /// A request still queued this long after submit is answered timed_out
  /// and never runs; zero means no timeout. At most request_wait_limit
  /// (a negative or larger one is refused: the request fails `rejected`).
  std::chrono::microseconds timeout{0};
};

}  // namespace lockstep
