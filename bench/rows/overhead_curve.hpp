// Row overhead_curve: throughput against the cost of materializing a batch.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Batches/s at W = 2 of lockstep (config::buffer_bytes = 1 MiB, as in
/// overhead_trivial), tbb_pipeline and pytorch where materialize costs 0,
/// 10 µs, 100 µs and 1 ms of busy CPU time (synthetic spin_ms): figures
/// lockstep_<cost>us, tbb_<cost>us, pytorch_<cost>us; plain_loop_0us, the
/// ideal at cost 0; and ideal_<cost>us = W / cost for the others. A note
/// gives each system's efficiency (batches/s / ideal); bench/plot draws it.
row overhead_curve_row(context& ctx);

}  // namespace lockstep::bench
