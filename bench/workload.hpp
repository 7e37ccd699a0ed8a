// The identical work every system is measured on, and the client that checks it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lockstep/detail/run_channel.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep::bench {

/// Batches of the synthetic source seeded with `seed`, materialized by
/// `workers` workers. A rate counts only the `batches` after the first
/// `warmup`, so start-up (threads, processes) is not mistaken for throughput.
struct workload {
  synthetic_params params;
  std::uint64_t seed = 1;
  std::size_t workers = 1;
  std::size_t warmup = 0;
  std::size_t batches = 1000;

  /// lockstep's default buffer (2W + 1); every peer gets the same bound.
  std::size_t buffer() const { return detail::default_buffer(workers); }
  std::size_t total() const { return warmup + batches; }
};

/// What every system's client does with a batch: checks it is the next one in
/// iteration order and whole, so a peer that reorders or drops work fails
/// loudly instead of being measured.
class sink {
 public:
  explicit sink(std::uint64_t item_bytes) : item_bytes_(item_bytes) {}

  void operator()(const synthetic_output& out) {
    if (out.index != taken_ || out.bytes.size() != item_bytes_)
      throw std::runtime_error("a system delivered batch " + std::to_string(out.index) + " of "
                               + std::to_string(out.bytes.size()) + " bytes where batch "
                               + std::to_string(taken_) + " was due");
    ++taken_;
  }

  std::uint64_t taken() const { return taken_; }

 private:
  std::uint64_t item_bytes_;
  std::uint64_t taken_ = 0;
};

}  // namespace lockstep::bench
