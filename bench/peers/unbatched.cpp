#include "unbatched.hpp"

namespace lockstep::bench {

unbatched::unbatched(std::size_t instances, request_cost cost) {
  for (std::size_t i = 0; i < instances; ++i)
    instances_.emplace_back([this, cost] {
      sleepy_model model{cost};
      while (auto p = queue_.pop()) {
        model.run_batch(std::span<const int>{&p->request, 1});
        p->done();
      }
    });
}

unbatched::~unbatched() {
  queue_.close();
  for (auto& t : instances_)
    t.join();
}

void unbatched::submit(int request, std::function<void()> done) {
  queue_.push({request, std::move(done)});
}

}  // namespace lockstep::bench
