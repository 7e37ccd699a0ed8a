// The request_batching row's common ground: the model every system runs and
// the one call a load generator makes on a system.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "lockstep/sources/synthetic.hpp"

namespace lockstep::bench {

/// A model call that costs a fixed overhead plus a cost per item, as a GPU
/// kernel launch does. It sleeps (the caller's core is free meanwhile, as it
/// would be while a GPU works) until one deadline, with the timer slack at
/// 1 ns as the synthetic source's waits: the default slack would make every
/// call about 100 µs dearer than its nominal cost here.
struct request_cost {
  std::chrono::microseconds fixed{1000};
  std::chrono::microseconds per_item{50};

  std::chrono::microseconds of(std::size_t items) const {
    return fixed + per_item * static_cast<long>(items);
  }
  void run(std::size_t items) const {
    precise_sleep_until(std::chrono::steady_clock::now() + of(items));
  }
};

/// The model as request_batcher<Model> and both peers call it.
struct sleepy_model {
  using request = int;
  using response = int;
  request_cost cost;

  std::vector<int> run_batch(std::span<const int> requests) const {
    cost.run(requests.size());
    return {requests.begin(), requests.end()};
  }
};

/// A system under load: submit() queues one request and returns at once;
/// `done` runs once it is answered, on any thread. A request a system fails
/// counts in failures() and never calls `done`, so a load generator waiting
/// for every answer sees it (and refuses to report a figure).
class request_system {
 public:
  virtual ~request_system() = default;
  virtual void submit(int request, std::function<void()> done) = 0;
  virtual std::size_t failures() const { return 0; }
};

}  // namespace lockstep::bench
