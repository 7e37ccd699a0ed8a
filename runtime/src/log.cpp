#include "lockstep/runtime/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace lockstep {

std::shared_ptr<spdlog::logger> logger() {
  static const auto instance = [] {
    auto l = spdlog::get("lockstep");
    if (!l)
      l = spdlog::stderr_color_mt("lockstep");
    l->set_pattern("[%H:%M:%S.%e] [lockstep] [%^%l%$] %v");
    return l;
  }();
  return instance;
}

}  // namespace lockstep
