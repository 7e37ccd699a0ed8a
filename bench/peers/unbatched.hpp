// Peer "unbatched" of the request_batching row: every request runs alone, on
// the first free one of the model instances (a server without a batcher).
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "../blocking_queue.hpp"
#include "../request_system.hpp"

namespace lockstep::bench {

class unbatched final : public request_system {
 public:
  unbatched(std::size_t instances, request_cost cost);
  ~unbatched() override;  // drops what is still queued, joins the instances

  void submit(int request, std::function<void()> done) override;

 private:
  struct pending {
    int request;
    std::function<void()> done;
  };
  blocking_queue<pending> queue_;
  std::vector<std::thread> instances_;
};

}  // namespace lockstep::bench
