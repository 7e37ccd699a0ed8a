// Peer: oneTBB parallel_pipeline, the ordered, fail-stop C++ baseline.
#pragma once

#include <cstddef>

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// serial_in_order iterate → parallel materialize → serial_in_order client,
/// in an arena of W threads (the caller's included) and with lockstep's
/// window as the token limit: buffer + W.
throughput tbb_pipeline_rate(const workload& w);

/// The same pipeline with `tokens` as its token limit (what may be in flight).
throughput tbb_pipeline_tokens_rate(const workload& w, std::size_t tokens);

}  // namespace lockstep::bench
