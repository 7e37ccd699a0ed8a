// Row lognormal_w8: stragglers, where a head-of-line scheme idles its workers.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Batches/s with a log-normal materialize latency (median 2 ms, sigma 1),
/// W = 8: lockstep, head_of_line, tbb_pipeline, pytorch. Goals: lockstep at
/// least 1.3x head_of_line and 1.3x pytorch.
row lognormal_row(context& ctx);

}  // namespace lockstep::bench
