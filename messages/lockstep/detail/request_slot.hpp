// One submitted request as the request batcher's actors see it (no CAF here:
// request_batcher.hpp derives from it).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lockstep/messages/errc.hpp"

namespace lockstep::detail {

/// One submitted request, type-erased: the typed part (the request, the
/// caller's callback) lives in the derived class of request_batcher<Model>.
/// Whoever holds the last reference completes it exactly once; a slot
/// destroyed without an answer (a mailbox dropped at shutdown) answers
/// `stopped` from its destructor, so no caller waits forever.
class request_slot {
 public:
  using clock = std::chrono::steady_clock;

  virtual ~request_slot() = default;

  /// Answers the caller with an error.
  virtual void fail(errc code, const std::string& message) = 0;

  bool high_priority = false;
  /// Relative timeout from submit; zero means none.
  std::chrono::nanoseconds timeout{0};
  /// Set by the former when the request reaches it.
  clock::time_point enqueued{};
  clock::time_point expires = clock::time_point::max();
};

using slot_ptr = std::shared_ptr<request_slot>;

/// Runs one batch on one model instance and answers every slot in it
/// (request_batcher<Model> builds it; it must not throw). It calls `ran`
/// once the model is done with the batch and before answering, so the
/// instance can ask for its next batch while its callers are answered.
using instance_run =
  std::function<void(std::vector<slot_ptr>&, const std::function<void()>& ran)>;

}  // namespace lockstep::detail
