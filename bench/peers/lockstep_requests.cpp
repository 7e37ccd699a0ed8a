#include "lockstep_requests.hpp"

namespace lockstep::bench {

lockstep_requests::lockstep_requests(request_batcher_config cfg, request_cost cost)
  : batcher_(cfg, [cost](std::size_t) {
      return std::make_unique<sleepy_model>(sleepy_model{cost});
    }) {}

void lockstep_requests::submit(int request, std::function<void()> done) {
  batcher_.submit(request, [this, done = std::move(done)](outcome<int> o) {
    if (o.ok())
      done();
    else
      failures_.fetch_add(1);
  });
}

}  // namespace lockstep::bench

