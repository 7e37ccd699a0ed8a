// Row first_batch_ms: time to the first batch must not grow with the source.
#pragma once

#include <chrono>
#include <stdexcept>
#include <thread>

#include "../context.hpp"
#include "../row.hpp"
#include "lockstep/runtime/batcher.hpp"

namespace lockstep::bench {

/// Milliseconds from the first take() of a fresh batcher of `src` (W = 2)
/// from `start` to its batch, plus `setup_ms` (what building the source
/// took, for a row that times it too).
template <source S>
double first_take_ms(S src, const typename S::state_type& start, double setup_ms = 0) {
  config cfg;
  cfg.workers = 2;
  batcher<S> b{std::move(src), cfg};
  // Let the new actor system's threads come up: they are the same for every
  // source, and their start-up on a busy machine is noise, not laziness.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto t = bench_clock::now();
  auto next = b.take(start);
  auto ms = ms_since(t);
  if (!next)
    throw std::runtime_error("first batch: the source ended before its first batch");
  b.stop();
  return setup_ms + ms;
}

/// Milliseconds from the first take() of a fresh batcher (W = 2, trivial
/// work) to its batch, for a finite synthetic source of 10 batches
/// (length_10) and of 10^7 (length_10000000). Goal: equal within noise.
row first_batch_row(context& ctx);

}  // namespace lockstep::bench
