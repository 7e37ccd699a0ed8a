// The system under test: lockstep::batcher over the synthetic source.
#pragma once

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// lockstep::batcher with W local workers and buffer 2W + 1, its states
/// threaded through take().
throughput lockstep_rate(const workload& w);

}  // namespace lockstep::bench
