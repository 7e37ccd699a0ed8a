#include "lockstep_batcher.hpp"

#include "lockstep/runtime/batcher.hpp"
#include "take_loop.hpp"

namespace lockstep::bench {

throughput lockstep_rate(const workload& w) {
  config cfg;
  cfg.workers = w.workers;
  cfg.buffer = w.buffer();
  batcher<synthetic> b{synthetic{w.params}, cfg};
  auto t = take_rate(b, w);
  b.stop();
  return t;
}

}  // namespace lockstep::bench
