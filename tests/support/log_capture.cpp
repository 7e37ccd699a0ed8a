#include "log_capture.hpp"

namespace lockstep::test {

log_capture::log_capture() : saved_level_(get_log_level()) {
  set_log_sink([lines = lines_](log_level level, std::string_view text) {
    std::lock_guard<std::mutex> guard{lines->mtx};
    lines->lines.push_back({level, std::string{text}});
  });
  set_log_level(log_level::debug);
}

log_capture::~log_capture() {
  set_log_sink(nullptr);
  set_log_level(saved_level_);
}

std::vector<log_capture::line> log_capture::lines() const {
  std::lock_guard<std::mutex> guard{lines_->mtx};
  return lines_->lines;
}

std::size_t log_capture::count(log_level level) const {
  std::size_t n = 0;
  for (auto& l : lines())
    n += l.level == level ? 1 : 0;
  return n;
}

void log_capture::clear() {
  std::lock_guard<std::mutex> guard{lines_->mtx};
  lines_->lines.clear();
}

}  // namespace lockstep::test
