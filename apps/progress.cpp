#include "progress.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace lockstep::cli {

progress::progress(std::optional<std::uint64_t> total, bool enabled)
    : total_(total), enabled_(enabled) {
}

double progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string mb_per_s(std::uint64_t bytes, double seconds) {
  return fmt::format("{:.1f} MB/s", seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0);
}

void progress::add(std::uint64_t bytes) {
  ++batches_;
  bytes_ += bytes;
  if (!enabled_)
    return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds{100} && !(total_ && batches_ == *total_))
    return;
  last_draw_ = now;
  draw();
}

void progress::draw() {
  constexpr int width = 30;
  auto secs = seconds();
  auto rate = secs > 0 ? static_cast<double>(batches_) / secs : 0.0;
  std::string bar;
  if (total_ && *total_ > 0) {
    auto filled = static_cast<int>(width * static_cast<double>(batches_) / static_cast<double>(*total_));
    bar = "[" + std::string(static_cast<std::size_t>(filled), '#')
          + std::string(static_cast<std::size_t>(width - filled), ' ') + "] "
          + fmt::format("{}/{}", batches_, *total_);
  } else {
    bar = fmt::format("{}", batches_);
  }
  std::fprintf(stderr, "\r%s batches  %.0f batches/s  %s   ", bar.c_str(), rate,
               mb_per_s(bytes_, secs).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void progress::finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r%*s\r", 100, "");
    std::fflush(stderr);
  }
}

}  // namespace lockstep::cli
