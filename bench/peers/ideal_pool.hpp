// The floor of an ordered loader: a pool with no overhead, simulated.
#pragma once

#include <vector>

#include "../workload.hpp"

namespace lockstep::bench {

/// What an ordered pool with no overhead at all gives a client that takes as
/// fast as it can, computed, not run: each batch takes exactly its latency as
/// the source draws it (synthetic::latency_of; no worker is slow), it starts,
/// in order, on the first free one of `w.workers` workers as soon as the
/// window (`w.buffer() + w.workers` batches materialized or in flight and not
/// yet taken) lets it, and a take returns the instant its batch is done.
/// No loader that delivers in order with that window can do better on these
/// latencies: its take latencies bound what hedging could ever reach.
struct ideal_pool {
  std::vector<double> take_ms;  ///< each timed take (after the warm-up), in order
  double batches_per_s = 0;     ///< over the timed takes
};

ideal_pool simulate_ideal_pool(const workload& w);

}  // namespace lockstep::bench
