#include "edf_fixtures.hpp"

#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::test {

signals::signal_data random_signal(std::string label, std::uint32_t rate, std::uint32_t seconds,
                                   std::uint64_t seed) {
  signals::signal_data s;
  s.label = std::move(label);
  s.sample_rate = rate;
  xoshiro256ss rng{seed};
  s.samples.resize(std::uint64_t{rate} * seconds);
  for (auto& x : s.samples)
    x = static_cast<std::int16_t>(rng() >> 48);
  return s;
}

std::vector<signals::edf_annotation> stage_spans(
  const std::vector<std::pair<std::string, int>>& spans) {
  std::vector<signals::edf_annotation> out;
  std::int64_t at = 0;
  for (auto& [text, epochs] : spans) {
    auto d = std::int64_t{epochs} * 30 * signals::ticks_per_second;
    out.push_back({at, d, text});
    at += d;
  }
  return out;
}

}  // namespace lockstep::test
