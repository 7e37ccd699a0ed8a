// Row memory_mb: peak resident memory against lockstep's bound.
#pragma once

#include "../context.hpp"
#include "../row.hpp"

namespace lockstep::bench {

/// Peak RSS (VmHWM) of a fresh process streaming 10 000 batches of 1 MB
/// (W = 4, buffer 9) through lockstep: peak_rss; and bound = base RSS (the
/// process with its batcher built, before the run) + 1.2 x (buffer + W) MB.
/// Goals: peak_rss <= bound, and flat: the RSS sampled over the second half
/// of the run at most 1.05x that over the first half. MB = 2^20 bytes.
row memory_row(context& ctx);

/// The measurement in the fresh process (`lockstep_bench --memory-child`):
/// prints one JSON line {"base_mb", "peak_mb", "first_half_mb",
/// "second_half_mb"} and returns the exit status.
int memory_child();

}  // namespace lockstep::bench
