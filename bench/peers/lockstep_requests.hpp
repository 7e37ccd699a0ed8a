// System "lockstep" of the request_batching row: request_batcher<sleepy_model>
// through its callback form (the future form is built on it).
#pragma once

#include <atomic>
#include <memory>

#include "../request_system.hpp"
#include "lockstep/runtime/request_batcher.hpp"

namespace lockstep::bench {

class lockstep_requests final : public request_system {
 public:
  lockstep_requests(request_batcher_config cfg, request_cost cost);

  void submit(int request, std::function<void()> done) override;
  std::size_t failures() const override { return failures_.load(); }

 private:
  std::atomic<std::size_t> failures_{0};
  request_batcher<sleepy_model> batcher_;
};

}  // namespace lockstep::bench
