// Row overhead_trivial: the cost of delivering a batch when materializing is free.
#pragma once

#include <cstddef>

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// lockstep's byte budget on trivial work (config::buffer_bytes), here and
/// in overhead_curve: 1 MiB.
constexpr std::size_t budget_bytes = std::size_t{1} << 20;

/// Batches/s on trivial work (latency 0, 64-byte items): plain_loop,
/// tbb_pipeline (W = 2, token limit buffer + W), tbb_pipeline_equal_memory
/// (token limit = lockstep_w2's window under the budget), lockstep_w1 and
/// lockstep_w2 (buffer_bytes = budget_bytes), pytorch_w2. Goals: lockstep_w2
/// at least 0.5x either TBB and 50x, 100x PyTorch's batches/s; its CPU per
/// batch at most 2x tbb_pipeline's.
row overhead_row(context& ctx);

}  // namespace lockstep::bench
