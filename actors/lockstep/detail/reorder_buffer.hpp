// The collector's logic: results arrive in any order, leave strictly by seq
// (or, for jobs, as they arrive, each once).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "lockstep/detail/delivery.hpp"

namespace lockstep::detail {

/// Holds deliveries until every lower seq has been released, then releases
/// them strictly in seq order. A duplicate seq (a job that ran twice after a
/// worker was lost) and any seq already released are dropped. Releasing an
/// end or a failure finishes the run: everything after it is dropped.
///
/// Unordered (a job run): a batch or a failure is released as soon as it
/// arrives, each seq once; a failure does not finish the run (the job
/// records it), and the end is released once every lower seq has been.
class reorder_buffer {
 public:
  /// Forget everything; the next release starts at seq 0.
  void reset(bool in_order = true);

  /// Add a delivery. False when it was dropped (duplicate, already released,
  /// or the run is finished).
  bool put(delivery d);

  /// Moves every delivery that is next in order to `out`.
  void release(std::vector<delivery>& out);

  /// Releases what is in order, then a failure right after it: the run cannot
  /// go on (no worker left). Finishes the run.
  void fail_now(delivery failure, std::vector<delivery>& out);

  /// Ordered: the next seq to release. Unordered: the lowest seq not
  /// released yet (every lower one was).
  std::uint64_t next_seq() const { return next_; }
  std::size_t held() const { return held_; }
  bool finished() const { return finished_; }

 private:
  void finish();  // everything after the end or failure is dropped
  bool put_unordered(delivery d);

  bool in_order_ = true;

  std::uint64_t next_ = 0;
  // slots_[i] holds seq next_ + i: seqs arrive within the credit window, in
  // runs (chunks), so a deque beats a node per batch.
  std::deque<std::optional<delivery>> slots_;
  std::size_t held_ = 0;
  bool finished_ = false;
  // Unordered: done_[i] says seq next_ + i was released; ready_ holds what
  // release() hands out next, end_ an end waiting for lower seqs.
  std::deque<bool> done_;
  std::vector<delivery> ready_;
  std::optional<delivery> end_;
};

}  // namespace lockstep::detail
