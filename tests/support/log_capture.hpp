// Captures what lockstep logs while in scope, through lockstep's own API.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lockstep/runtime/log.hpp"

namespace lockstep::test {

class log_capture {
 public:
  struct line {
    log_level level;
    std::string text;
  };

  /// Captures every level from debug up; restores the level on destruction
  /// (the sink goes back to stderr).
  log_capture();
  ~log_capture();
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  std::vector<line> lines() const;
  std::size_t count(log_level level) const;
  void clear();

 private:
  struct shared {
    std::mutex mtx;
    std::vector<line> lines;
  };
  std::shared_ptr<shared> lines_ = std::make_shared<shared>();
  log_level saved_level_;
};

}  // namespace lockstep::test
