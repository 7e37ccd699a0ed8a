// Peer: oneTBB parallel_pipeline, the ordered, fail-stop C++ baseline.
#pragma once

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// serial_in_order iterate → parallel materialize → serial_in_order client,
/// in an arena of W threads (the caller's included) and with lockstep's
/// window as the token limit: buffer + W.
throughput tbb_pipeline_rate(const workload& w);

}  // namespace lockstep::bench
