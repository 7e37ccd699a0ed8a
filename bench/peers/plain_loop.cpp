#include "plain_loop.hpp"

#include "lockstep/runtime/plain_loop.hpp"
#include "take_loop.hpp"

namespace lockstep::bench {

throughput plain_loop_rate(const workload& w) {
  lockstep::plain_loop<synthetic> loop{synthetic{w.params}};
  return take_rate(loop, w);
}

}  // namespace lockstep::bench
