// Row first_batch_ms: time to the first batch must not grow with the source.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Milliseconds from the first take() of a fresh batcher (W = 2, trivial
/// work) to its batch, for a finite synthetic source of 10 batches
/// (length_10) and of 10^7 (length_10000000). Goal: equal within noise.
row first_batch_row(context& ctx);

}  // namespace lockstep::bench
