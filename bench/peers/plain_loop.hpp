// Peer: iterate and materialize in the client's thread, one batch at a time.
#pragma once

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// lockstep::plain_loop, the reference every batcher must match: no threads,
/// no buffer.
throughput plain_loop_rate(const workload& w);

}  // namespace lockstep::bench
