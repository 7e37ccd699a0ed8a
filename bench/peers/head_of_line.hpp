// Peer: OndaBatches.jl's multi-worker batching, in C++.
#pragma once

#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "../blocking_queue.hpp"
#include "../stats.hpp"
#include "../workload.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep::bench {

/// The scheme of OndaBatches' start_batching(channel, batches, state, workers):
/// a feeder iterates, takes a free worker from the pool (waiting for one),
/// hands it the batch and queues the job, in iteration order, on an unbounded
/// job channel; a manager loop fetches each job's result in that order,
/// returns the job's worker to the pool, and puts the result on the output
/// channel (capacity `buffer`), which take() reads. A worker thus goes back to
/// the pool only when its job reaches the head of the queue: behind one slow
/// batch, workers that finished early sit idle. Reduced to what benchmarks
/// need: infinite sources, no restarts, and the first failure ends the stream.
class head_of_line {
 public:
  using taken = step<synthetic_output, synthetic_state>;

  head_of_line(synthetic src, synthetic_state start, std::size_t workers, std::size_t buffer);
  ~head_of_line();

  head_of_line(const head_of_line&) = delete;
  head_of_line& operator=(const head_of_line&) = delete;

  /// The batch after `state`, which must be where the stream stands (this
  /// peer does not restart), and the state after it.
  std::optional<taken> take(const synthetic_state& state);

 private:
  struct job {
    std::size_t worker;
    std::future<synthetic_output> output;
    synthetic_state before;
    synthetic_state after;
  };
  struct result {
    synthetic_output output;
    synthetic_state before;
    synthetic_state after;
  };
  using task = std::packaged_task<synthetic_output()>;

  void feed(synthetic_state state);
  void manage();
  void work(std::size_t id);

  synthetic src_;
  blocking_queue<std::size_t> pool_;
  std::vector<std::unique_ptr<blocking_queue<task>>> mailboxes_;
  blocking_queue<job> jobs_;
  blocking_queue<result> channel_;
  std::exception_ptr failure_;  // set by manage() before it closes channel_
  std::vector<std::jthread> threads_;  // last: joined before the queues go
};

/// head_of_line with W workers and buffer 2W + 1, measured.
throughput head_of_line_rate(const workload& w);

}  // namespace lockstep::bench
