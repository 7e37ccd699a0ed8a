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

event_log actor_events() {
  return [](event_level level, const std::string& line) {
    switch (level) {
      case event_level::info: logger()->info("{}", line); break;
      case event_level::warning: logger()->warn("{}", line); break;
      case event_level::error: logger()->error("{}", line); break;
    }
  };
}

}  // namespace lockstep
