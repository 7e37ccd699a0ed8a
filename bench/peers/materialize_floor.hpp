// The floor of a workload: W threads that only materialize.
#pragma once

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// W threads materializing the workload's batches, each taking the next
/// unclaimed one, with no hand-off, no order and no client: what this machine
/// gives for the work itself (a sleep's overshoot, a page's first touch). No
/// system that delivers the batches can beat it, so `x / materialize_floor`
/// says how much of the gap to `ideal` is the system's.
throughput materialize_floor_rate(const workload& w);

}  // namespace lockstep::bench
