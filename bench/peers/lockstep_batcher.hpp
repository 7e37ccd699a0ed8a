// The system under test: lockstep::batcher over the synthetic source.
#pragma once

#include <cstddef>

#include "../stats.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// lockstep::batcher with W local workers and buffer 2W + 1, its states
/// threaded through take().
throughput lockstep_rate(const workload& w);

/// The same with a byte budget instead of a buffer: config::buffer_bytes =
/// `buffer_bytes`, config::buffer unset, so the window may hold as many small
/// batches as the budget fits.
throughput lockstep_budget_rate(const workload& w, std::size_t buffer_bytes);

/// batcher::window() of a batcher configured as lockstep_budget_rate's, read
/// after w.warmup batches (once it has seen outputs): the batches it may hold
/// materialized or in flight, for a peer given the same memory.
std::size_t lockstep_budget_window(const workload& w, std::size_t buffer_bytes);

}  // namespace lockstep::bench
