// Row grid_first_batch_ms: a grid of 10^12 combinations starts as fast as one of 10^3.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Milliseconds to build a shuffled grid source and take its first batch
/// from a fresh batcher (W = 2): 10^3 combinations (length_1e3) against
/// 10^12 (length_1e12). Goal: equal within noise (at most 1.5x).
row grid_first_batch_row(context& ctx);

}  // namespace lockstep::bench
