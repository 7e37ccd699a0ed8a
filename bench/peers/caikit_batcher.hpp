// Peer "caikit_style" of the request_batching row: caikit's Batcher
// (caikit/runtime/model_management/batcher.py) re-implemented in C++. One
// collecting thread takes requests from a queue, each `get` waiting up to
// `collect_delay` for the next one, and sends the batch when it holds
// `batch_size` requests or when one `get` times out: an idle gap between two
// requests, so a steady trickle faster than the gap fills the whole batch
// before anything runs. caikit runs a batch on the collecting thread; here it
// goes to the first free of `instances` model instances (the same parallelism
// lockstep gets), and the collector waits for a free instance before it
// collects the next batch, as caikit's loop does until run_batch returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include "../blocking_queue.hpp"
#include "../request_system.hpp"

namespace lockstep::bench {

class caikit_batcher final : public request_system {
 public:
  caikit_batcher(std::size_t instances, request_cost cost, std::size_t batch_size,
                 std::chrono::microseconds collect_delay);
  ~caikit_batcher() override;  // drops what is still queued, joins every thread

  void submit(int request, std::function<void()> done) override;

 private:
  struct pending {
    int request;
    std::function<void()> done;
  };
  using batch = std::vector<pending>;

  enum class got { request, empty, stopped };
  /// caikit's `self._input_q.get(block=True, timeout=delay)`.
  got get(pending& out);
  void collect();
  void run_instance(request_cost cost);

  std::size_t batch_size_;
  std::chrono::microseconds delay_;
  std::mutex mtx_;
  std::condition_variable arrived_;
  std::deque<pending> input_;
  bool stopped_ = false;
  std::counting_semaphore<> free_instances_;
  blocking_queue<batch> batches_;
  std::vector<std::thread> instances_;
  std::thread collector_;
};

}  // namespace lockstep::bench
