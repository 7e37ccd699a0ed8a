// Row python_signals_mb_s: signals windows reaching Python as NumPy arrays,
// against the C++ batcher on the same windows.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// MB/s of lockstep's Python module (Batcher.take, each batch as NumPy arrays
/// over the output's memory) and of the C++ batcher, W = 2, 64 x 2 ch x 30 s
/// x 128 Hz windows, interleaved. Goal: python >= 0.9 x lockstep. Skipped
/// when the module is not built (LOCKSTEP_BUILD_PYTHON).
row python_signals_row(context& ctx);

}  // namespace lockstep::bench
