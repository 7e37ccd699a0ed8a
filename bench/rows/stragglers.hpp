// Row stragglers_p99: how long each take() waits when batches straggle and
// one worker is slow, with and without hedging.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// W = 4, latency log-normal (median 2 ms, sigma 1.5), one worker 10x slower
/// than the others, 2000 timed batches: the per-take latency percentiles
/// and batches/s of lockstep (hedging on, the default) and lockstep_no_hedge.
/// Goals: with hedging, p99 <= 3x p50, batches/s >= 1.3x and CPU per batch
/// <= 1.2x those without.
row stragglers_row(context& ctx);

}  // namespace lockstep::bench
