// A one-line progress bar on stderr: batches, batches/s, MB/s.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lockstep::cli {

class progress {
 public:
  /// `total` batches when known; `enabled` false draws nothing.
  progress(std::optional<std::uint64_t> total, bool enabled);

  /// One more batch of `bytes` bytes; redraws at most ten times a second.
  void add(std::uint64_t bytes);

  /// Clears the bar.
  void finish();

  std::uint64_t batches() const noexcept { return batches_; }
  std::uint64_t bytes() const noexcept { return bytes_; }
  double seconds() const;

 private:
  void draw();

  std::optional<std::uint64_t> total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
  std::uint64_t batches_ = 0;
  std::uint64_t bytes_ = 0;
  bool drawn_ = false;
};

/// "12.3 MB/s"-style throughput of `bytes` over `seconds`.
std::string mb_per_s(std::uint64_t bytes, double seconds);

}  // namespace lockstep::cli
