// Captures what lockstep logs while in scope.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

#include "lockstep/runtime/log.hpp"

namespace lockstep::test {

class log_capture {
 public:
  struct line {
    spdlog::level::level_enum level;
    std::string text;
  };

  log_capture();
  ~log_capture();

  std::vector<line> lines() const;
  std::size_t count(spdlog::level::level_enum level) const;
  void clear();

 private:
  class sink;
  std::shared_ptr<sink> sink_;
  std::vector<spdlog::sink_ptr> saved_;
  spdlog::level::level_enum saved_level_;
};

}  // namespace lockstep::test
