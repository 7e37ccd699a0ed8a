#include "lockstep/runtime/log.hpp"

#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "lockstep/detail/logger.hpp"

namespace lockstep {

namespace {

spdlog::level::level_enum to_spdlog(log_level l) {
  switch (l) {
    case log_level::debug:
      return spdlog::level::debug;
    case log_level::info:
      return spdlog::level::info;
    case log_level::warning:
      return spdlog::level::warn;
    case log_level::error:
      return spdlog::level::err;
    case log_level::off:
      return spdlog::level::off;
  }
  return spdlog::level::warn;
}

log_level from_spdlog(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return log_level::debug;
    case spdlog::level::info:
      return log_level::info;
    case spdlog::level::warn:
      return log_level::warning;
    case spdlog::level::err:
    case spdlog::level::critical:
      return log_level::error;
    default:
      return log_level::off;
  }
}

// Hands lines to the user's sink when one is set, else to stderr.
class forwarding_sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  forwarding_sink() { stderr_->set_pattern("[%H:%M:%S.%e] [lockstep] [%l] %v"); }

  void set(log_sink s) {
    std::lock_guard<std::mutex> guard{mutex_};
    user_ = std::move(s);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (user_)
      user_(from_spdlog(msg.level), std::string_view{msg.payload.data(), msg.payload.size()});
    else
      stderr_->log(msg);
  }
  void flush_() override { stderr_->flush(); }

 private:
  log_sink user_;
  std::shared_ptr<spdlog::sinks::stderr_sink_st> stderr_ =
    std::make_shared<spdlog::sinks::stderr_sink_st>();
};

struct state {
  std::shared_ptr<forwarding_sink> sink = std::make_shared<forwarding_sink>();
  spdlog::logger logger{"lockstep", sink};
  state() { logger.set_level(spdlog::level::warn); }
};

state& the_log() {
  static state s;
  return s;
}

}  // namespace

void set_log_level(log_level level) {
  the_log().logger.set_level(to_spdlog(level));
}

log_level get_log_level() {
  return from_spdlog(the_log().logger.level());
}

void set_log_sink(log_sink sink) {
  the_log().sink->set(std::move(sink));
}

bool parse_log_level(std::string_view text, log_level& level) {
  constexpr std::pair<std::string_view, log_level> names[] = {
    {"debug", log_level::debug},  {"info", log_level::info},   {"warning", log_level::warning},
    {"warn", log_level::warning}, {"error", log_level::error}, {"off", log_level::off}};
  for (auto& [name, l] : names)
    if (text == name) {
      level = l;
      return true;
    }
  return false;
}

namespace detail {

spdlog::logger& logger() {
  return the_log().logger;
}

event_log actor_events() {
  return [](event_level level, const std::string& line) {
    switch (level) {
      case event_level::info:
        logger().info("{}", line);
        break;
      case event_level::warning:
        logger().warn("{}", line);
        break;
      case event_level::error:
        logger().error("{}", line);
        break;
    }
  };
}

}  // namespace detail

}  // namespace lockstep
