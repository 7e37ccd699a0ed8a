// Measuring batches/s of several systems on one workload, interleaved.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "../context.hpp"
#include "../row.hpp"
#include "../workload.hpp"

namespace lockstep::bench {

/// A system measured in a throughput row: its name in the row, its workload
/// (the same work for all; the batch count may differ) and how to run it.
struct contender {
  std::string name;
  workload work;
  std::function<throughput(const workload&)> rate;
};

/// The pytorch contender, or none and a note on the row saying why not.
std::vector<contender> pytorch_contender(context& ctx, row& r, std::string name,
                                         const workload& w);

/// Adds each contender's figure (median and range of interleaved repetitions)
/// to `r`, in the given order, only those of --systems when it is given, and
/// the cost per batch (CPU time, context switches) of those running in this
/// process.
void measure(context& ctx, row& r, const std::vector<contender>& all);

/// A batch count that makes `rate` run about `seconds`, from one short trial
/// of `trial` batches (which also warms caches and the allocator).
std::size_t batches_for(const std::function<throughput(const workload&)>& rate, workload w,
                        std::size_t trial, double seconds);

}  // namespace lockstep::bench
