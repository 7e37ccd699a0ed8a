#include "log_capture.hpp"

#include <mutex>

namespace lockstep::test {

class log_capture::sink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<line> lines() {
    std::lock_guard<std::mutex> guard{mutex_};
    return lines_;
  }
  void clear() {
    std::lock_guard<std::mutex> guard{mutex_};
    lines_.clear();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.push_back({msg.level, std::string{msg.payload.data(), msg.payload.size()}});
  }
  void flush_() override {}

 private:
  std::vector<line> lines_;
};

log_capture::log_capture() : sink_(std::make_shared<sink>()) {
  auto l = logger();
  saved_ = l->sinks();
  saved_level_ = l->level();
  l->sinks() = {sink_};
  l->set_level(spdlog::level::trace);
}

log_capture::~log_capture() {
  auto l = logger();
  l->sinks() = saved_;
  l->set_level(saved_level_);
}

std::vector<log_capture::line> log_capture::lines() const {
  return sink_->lines();
}

std::size_t log_capture::count(spdlog::level::level_enum level) const {
  std::size_t n = 0;
  for (auto& l : sink_->lines())
    n += l.level == level ? 1 : 0;
  return n;
}

void log_capture::clear() {
  sink_->clear();
}

}  // namespace lockstep::test
