// The reference a batcher must match: iterate, then materialize, in the caller. API.
#pragma once

#include <optional>
#include <utility>

#include "lockstep/runtime/source.hpp"

namespace lockstep {

/// Same take(state) as batcher, computed in the calling thread with no
/// buffering and no retries (like OndaBatches' BlockingBatcher). Tests compare
/// batchers against it, and benchmarks use it as the baseline.
template <source S>
class plain_loop {
 public:
  using state_type = typename S::state_type;
  using output_type = typename S::output_type;
  using step_type = step<output_type, state_type>;

  explicit plain_loop(S src) : src_(std::move(src)) {}

  std::optional<step_type> take(const state_type& state) const {
    auto next = src_.iterate(state);
    if (!next)
      return std::nullopt;
    return step_type{src_.materialize(next->first), std::move(next->second)};
  }

  const S& source() const noexcept { return src_; }

 private:
  S src_;
};

}  // namespace lockstep
