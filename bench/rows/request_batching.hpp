// Row request_batching: many callers, one request each, a model that costs
// 1 ms + 50 µs per item on 2 instances: unbatched, caikit's idle-gap batcher
// and lockstep's request_batcher, at saturation, at low load, under a steady
// trickle, and p99 latency against offered load (the plot).
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Goals (issue 14): lockstep_saturation_rps >= 0.9 x ideal_saturation_rps;
/// lockstep_low_load_p99_ms <= max_delay + one single-item run + 2 ms;
/// lockstep_trickle_p99_ms <= 0.25 x caikit_style_trickle_p99_ms.
row request_batching_row(context& ctx);

}  // namespace lockstep::bench
