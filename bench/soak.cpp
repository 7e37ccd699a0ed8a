#include "soak.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/digest.hpp"
#include "lockstep/runtime/log.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "lockstep/sources/synthetic.hpp"
#include "stats.hpp"

namespace lockstep::bench {

namespace {

struct sample {
  std::size_t batch;
  double rss_mb;
  std::size_t fds;
};

sample measure(std::size_t batch) {
  sample s{batch, 0, 0};
  std::ifstream status{"/proc/self/status"};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      s.rss_mb = std::stod(line.substr(6)) / 1024;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator{"/proc/self/fd"})
    ++s.fds;
  return s;
}

// A digest of a whole sequence: each output's bytes hashed, chained.
struct chain {
  std::uint64_t value = 0;
  void add(const synthetic_output& out) {
    auto h = xxh64(out.bytes.data(), out.bytes.size(), value);
    value = xxh64(&out.index, sizeof out.index, h);
  }
};

}  // namespace

int soak(std::size_t batches) {
  set_log_level(log_level::warning);
  synthetic_params p;
  p.item_bytes = 64;
  p.transient_fraction = 0.01;
  config cfg;
  cfg.workers = 4;
  cfg.retry.first_delay = std::chrono::milliseconds{1};
  std::vector<sample> samples;
  chain got;
  auto start = bench_clock::now();
  {
    batcher<synthetic> b{synthetic{p}, cfg};
    auto state = synthetic_state::seeded(2024);
    samples.push_back(measure(0));
    for (std::size_t i = 0; i < batches; ++i) {
      auto next = b.take(state);
      got.add(next->output);
      state = std::move(next->state);
      if ((i + 1) % (batches / 20) == 0)
        samples.push_back(measure(i + 1));
    }
    std::printf("soak: %zu batches in %.1f s, %llu retries\n", batches, seconds_since(start),
                static_cast<unsigned long long>(b.stats().retries));
  }
  chain expected;
  plain_loop ref{synthetic{synthetic_params{}}};
  auto state = synthetic_state::seeded(2024);
  for (std::size_t i = 0; i < batches; ++i) {
    auto next = ref.take(state);
    expected.add(next->output);
    state = std::move(next->state);
  }
  std::printf("soak: sequence digest %016llx, plain loop %016llx: %s\n",
              static_cast<unsigned long long>(got.value),
              static_cast<unsigned long long>(expected.value),
              got.value == expected.value ? "equal" : "DIFFERENT");
  std::printf("soak: batch, RSS (MB), open descriptors\n");
  for (auto& s : samples)
    std::printf("  %9zu  %6.1f  %3zu\n", s.batch, s.rss_mb, s.fds);
  // Flat: after the first tenth, RSS stays within 2 MB and descriptors fixed.
  bool flat = true;
  for (std::size_t i = 2; i < samples.size(); ++i)
    flat = flat && samples[i].rss_mb <= samples[1].rss_mb + 2 && samples[i].fds == samples[1].fds;
  std::printf("soak: RSS and descriptors %s\n", flat ? "flat" : "GREW");
  return got.value == expected.value && flat ? 0 : 1;
}

}  // namespace lockstep::bench
