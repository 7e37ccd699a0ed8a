#include "lockstep_batcher.hpp"

#include "lockstep/runtime/batcher.hpp"
#include "take_loop.hpp"

namespace lockstep::bench {

double lockstep_rate(const workload& w) {
  config cfg;
  cfg.workers = w.workers;
  cfg.buffer = w.buffer();
  batcher<synthetic> b{synthetic{w.params}, cfg};
  auto rate = take_rate(b, w);
  b.stop();
  return rate;
}

}  // namespace lockstep::bench
