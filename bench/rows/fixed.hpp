// Rows fixed_2ms_w1, _w4, _w16 and the scaling series: a fixed 2 ms materialize.
#pragma once

#include <optional>
#include <vector>

#include "../context.hpp"
#include "../report.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Measures ideal (W / 2 ms), lockstep, tbb_pipeline, head_of_line and pytorch
/// at W = 1, 2, 4, 8, 16 (only the W of the selected rows when rows are
/// chosen). Returns the rows fixed_2ms_w1, _w4, _w16 that were selected, with
/// the goals lockstep >= 0.95 and >= 0.97 x ideal, >= 1 x pytorch and, at
/// W = 4, CPU per batch <= 1.5 x tbb_pipeline's; fills `scaling` with every W
/// measured.
std::vector<row> fixed_rows(context& ctx, std::optional<scaling_series>& scaling);

}  // namespace lockstep::bench
