#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace lockstep::cli {

namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string line;
  for (auto& p : parts) {
    if (p.empty())
      continue;
    if (!line.empty())
      line += "  ";
    line += p;
  }
  return line;
}

std::string clock_time(double seconds) {
  auto s = static_cast<std::uint64_t>(seconds + 0.5);
  if (s >= 3600)
    return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// Only what is not zero: a clean run shows no segment at all.
std::string status_segment(const progress_figures& f) {
  std::vector<std::string> parts;
  if (f.paused)
    parts.emplace_back("paused");
  if (f.stats.retries > 0)
    parts.push_back(fmt::format("retries {}", f.stats.retries));
  if (f.stats.restarts > 1)  // the first start counts as one
    parts.push_back(fmt::format("restarts {}", f.stats.restarts - 1));
  if (f.stats.workers_lost > 0)
    parts.push_back(fmt::format("workers lost {}", f.stats.workers_lost));
  if (f.stats.hedges > 0)
    parts.push_back(fmt::format("hedges {} ({} won)", f.stats.hedges, f.stats.hedges_won));
  if (!f.stats.stuck.empty())
    parts.push_back(fmt::format("stuck {} (oldest {:.0f} s)", f.stats.stuck.size(),
                                f.stats.stuck.front().age_seconds));
  std::string segment;
  for (auto& p : parts)
    segment += (segment.empty() ? "| " : ", ") + p;
  return segment;
}

}  // namespace

std::string mb_per_s(std::uint64_t bytes, double seconds) {
  return fmt::format("{:.1f} MB/s", seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0);
}

std::string progress_line(const progress_figures& f, std::size_t columns) {
  constexpr std::size_t widest_bar = 30, narrowest_bar = 10;
  auto limit = std::max<std::size_t>(columns, 2) - 1;
  auto rate = f.seconds > 0 ? static_cast<double>(f.batches) / f.seconds : 0.0;
  bool known = f.total && *f.total > 0;
  auto count = known ? fmt::format("{}/{} {}", f.batches, *f.total, f.unit)
                     : fmt::format("{} {}", f.batches, f.unit);
  auto speed = fmt::format("{:.0f} {}/s", rate, f.unit);
  auto mb = f.rows ? fmt::format("{} rows", f.bytes) : mb_per_s(f.bytes, f.seconds);
  std::string eta;
  if (known && rate > 0 && f.batches < *f.total)
    eta = "ETA " + clock_time(static_cast<double>(*f.total - f.batches) / rate);
  auto status = status_segment(f);

  std::string rest;
  for (int dropped = 0; dropped <= 3; ++dropped) {
    rest = join({count, speed, dropped < 1 ? mb : "", dropped < 2 ? eta : "",
                 dropped < 3 ? status : ""});
    if (dropped == 0 && known && rest.size() + narrowest_bar + 3 <= limit) {
      auto width = std::min(widest_bar, limit - rest.size() - 3);
      auto filled = static_cast<std::size_t>(static_cast<double>(width)
                                             * static_cast<double>(std::min(f.batches, *f.total))
                                             / static_cast<double>(*f.total));
      // Appended, not "[" + ... + rest: g++ 12 at -O2 reports a false
      // -Wrestrict on that chain of operator+ (the bench preset failed).
      std::string line = "[";
      line.append(filled, '#').append(width - filled, ' ').append("] ").append(rest);
      return line;
    }
    if (rest.size() <= limit)
      return rest;
  }
  return rest.substr(0, limit);
}

std::size_t terminal_columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  if (const char* env = std::getenv("COLUMNS")) {
    auto n = std::strtoul(env, nullptr, 10);
    if (n > 0)
      return n;
  }
  return 80;
}

progress::progress(std::optional<std::uint64_t> total, bool enabled,
                   std::function<std::pair<run_stats, bool>()> stats)
    : total_(total), enabled_(enabled), stats_(std::move(stats)) {}

double progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
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
  progress_figures f{batches_, total_, bytes_, seconds(), {}, false, unit_, rows_};
  if (stats_)
    std::tie(f.stats, f.paused) = stats_();
  // \r and "erase to the end of the line": a shorter line leaves nothing behind.
  std::fprintf(stderr, "\r%s\x1b[K", progress_line(f, terminal_columns()).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void progress::finish() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
  }
}

}  // namespace lockstep::cli
