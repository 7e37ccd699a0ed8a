// Row signals_mb_s: real work, EDF random windows against a memcpy-bound read.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// MB/s of lockstep (W = 2) streaming 64 x 2 ch x 30 s x 128 Hz windows from
/// the labeled-signals source, memcpy_bound (copying the same bytes out of the
/// recordings held in memory) and materialize_only (the source without the
/// runtime), each with its CPU time and context switches per batch. Goals:
/// lockstep >= 0.5 x memcpy_bound and >= 0.9 x materialize_only.
row signals_row(context& ctx);

}  // namespace lockstep::bench
