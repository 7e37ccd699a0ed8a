// custom_source: a source of your own in a few lines. Windows over a tone are
// materialized on 3 worker threads and delivered in order until the source
// ends. Run: build/dev/examples/custom_source
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <lockstep/runtime/batcher.hpp>

// iterate is cheap and pure: it only says which window comes next.
// materialize does the work, on any worker thread; it must be deterministic.
struct tone_windows {
  using state_type = std::uint64_t;  // the next window: JSON and CAF know integers
  using batch_type = std::uint64_t;  // which window to compute
  using output_type = std::vector<float>;
  static constexpr std::string_view name = "tone_windows";

  std::uint64_t windows = 10;
  std::size_t samples = 256;

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& next) const {
    if (next >= windows)
      return std::nullopt;  // the end: take() returns nothing from here on
    return std::make_pair(next, next + 1);
  }

  output_type materialize(const batch_type& window) const {
    output_type out(samples);
    for (std::size_t i = 0; i < samples; ++i)
      out[i] = static_cast<float>(std::sin(0.05 * static_cast<double>(window * samples + i)));
    return out;
  }
};

int main() {
  lockstep::config cfg;
  cfg.workers = 3;
  lockstep::batcher batches{tone_windows{}, cfg};
  std::uint64_t state = 0;  // saving this number is a complete checkpoint
  while (auto next = batches.take(state)) {
    auto& [window, after] = *next;
    std::printf("window %llu: %zu samples, first %+.3f\n", static_cast<unsigned long long>(state),
                window.size(), window.front());
    state = after;
  }
  std::printf("the source ended after %llu windows\n", static_cast<unsigned long long>(state));
}
