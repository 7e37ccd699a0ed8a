// The soak run: a million small batches with random transient failures.
#pragma once

#include <cstddef>

namespace lockstep::bench {

/// `lockstep_bench --soak [--soak-batches N]`: N (default 1 000 000) 64-byte
/// batches through a batcher with 4 workers, 1 % of them failing their first
/// attempt; samples RSS and open descriptors along the way, and compares the
/// digest of the whole sequence with the plain loop's. Prints a report and
/// returns 0 when the sequence matched and nothing grew.
int soak(std::size_t batches);

}  // namespace lockstep::bench
