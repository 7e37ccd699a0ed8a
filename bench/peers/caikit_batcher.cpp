#include "caikit_batcher.hpp"

namespace lockstep::bench {

caikit_batcher::caikit_batcher(std::size_t instances, request_cost cost, std::size_t batch_size,
                               std::chrono::microseconds collect_delay)
  : batch_size_(batch_size), delay_(collect_delay),
    free_instances_(static_cast<std::ptrdiff_t>(instances)) {
  for (std::size_t i = 0; i < instances; ++i)
    instances_.emplace_back([this, cost] { run_instance(cost); });
  collector_ = std::thread{[this] { collect(); }};
}

caikit_batcher::~caikit_batcher() {
  {
    std::lock_guard<std::mutex> lock{mtx_};
    stopped_ = true;
  }
  arrived_.notify_all();
  free_instances_.release();  // a collector waiting for an instance wakes and sees stopped_
  collector_.join();
  batches_.close();
  for (auto& t : instances_)
    t.join();
}

void caikit_batcher::submit(int request, std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock{mtx_};
    input_.push_back({request, std::move(done)});
  }
  arrived_.notify_one();
}

caikit_batcher::got caikit_batcher::get(pending& out) {
  std::unique_lock<std::mutex> lock{mtx_};
  if (!arrived_.wait_for(lock, delay_, [&] { return stopped_ || !input_.empty(); }))
    return got::empty;
  if (stopped_)
    return got::stopped;
  out = std::move(input_.front());
  input_.pop_front();
  return got::request;
}

void caikit_batcher::collect() {
  for (;;) {
    free_instances_.acquire();
    batch current;
    for (;;) {
      pending next;
      auto g = get(next);
      if (g == got::stopped)
        return;
      if (g == got::request)
        current.push_back(std::move(next));
      // caikit's thread exits on an empty queue with an empty batch and the
      // next request starts it again; waiting on is the same, minus the
      // thread start.
      else if (current.empty())
        continue;
      if (current.size() == batch_size_ || g == got::empty)
        break;
    }
    batches_.push(std::move(current));
  }
}

void caikit_batcher::run_instance(request_cost cost) {
  sleepy_model model{cost};
  std::vector<int> requests;
  while (auto b = batches_.pop()) {
    requests.clear();
    for (auto& p : *b)
      requests.push_back(p.request);
    model.run_batch(requests);
    for (auto& p : *b)
      p.done();
    free_instances_.release();
  }
}

}  // namespace lockstep::bench
