// Row overhead_trivial: the cost of delivering a batch when materializing is free.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Batches/s on trivial work (latency 0, 64-byte items): plain_loop,
/// tbb_pipeline (W = 2), lockstep_w1, lockstep_w2, pytorch_w2. Goals:
/// lockstep's time per batch at most 2x TBB's, and 50x PyTorch's batches/s.
row overhead_row(context& ctx);

}  // namespace lockstep::bench
