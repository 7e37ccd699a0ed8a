// copy_baseline: what `lockstep run --source signals` is measured against.
// For the batches run draws (same seed and parameters) it times, on T
// threads: (1) memcpy of as many bytes as run delivers, out of the recordings
// held in memory; (2) pread() of each window's data records from the page
// cache, the I/O alone; (3) random_batches::materialize alone; and (4) the
// same batches through a batcher with T workers, as `lockstep run` does. The
// four alternate for R rounds, so a busy machine slows all alike; each figure
// is the best round. Run:
//
//   copy_baseline DIR [--batches N] [--batch-size B] [--window-seconds S]
//                     [--n-channels C] [--threads T] [--rounds R] [--seed N]
//
// Without DIR it makes a small dataset in a temporary directory (a smoke test).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/log.hpp"
#include "make_dataset.hpp"
#include "lockstep/signals/random_batches.hpp"
#include "temp_dir.hpp"

using namespace lockstep::signals;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs work(batch) for batches [0, n) split over `threads`; returns seconds.
template <class Work>
double timed(std::size_t n, unsigned threads, Work work) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (std::size_t b = t; b < n; b += threads)
        work(b);
    });
  for (auto& th : pool)
    th.join();
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::size_t batches = 200;
  unsigned threads = 2, rounds = 3;
  std::uint64_t seed = 1;
  random_batches_params p;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string{argv[++i]} : std::string{"0"}; };
    if (a == "--batches") batches = std::stoul(next());
    else if (a == "--batch-size") p.batch_size = static_cast<std::uint32_t>(std::stoul(next()));
    else if (a == "--window-seconds") p.window_seconds = std::stod(next());
    else if (a == "--n-channels") p.n_channels = static_cast<std::uint32_t>(std::stoul(next()));
    else if (a == "--threads") threads = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--rounds") rounds = static_cast<unsigned>(std::stoul(next()));
    else if (a == "--seed") seed = std::stoull(next());
    else dir = a;
  }
  lockstep::test::temp_dir scratch;
  if (dir.empty()) {
    make_dataset_options o;
    o.recordings = 2;
    o.minutes = 10;
    make_dataset(scratch.path(), o);
    dir = scratch.path().string();
    batches = 5;
    rounds = 1;
  }
  lockstep::set_log_level(lockstep::log_level::warning);

  auto data = dataset::open(dir);
  random_batches src{data, p};
  std::vector<random_batch> plan;
  auto start_state = random_batches_state::seeded(seed);
  auto state = start_state;
  for (std::size_t i = 0; i < batches; ++i) {
    auto [b, next] = *src.iterate(state);
    plan.push_back(std::move(b));
    state = next;
  }
  const auto samples = src.window_samples();
  const auto item = src.channels() * samples * sizeof(float) + src.window_epochs();
  const auto delivered = item * p.batch_size;

  std::vector<std::string> files;  // for memcpy
  std::vector<int> fds;            // for pread
  for (auto& r : data->recordings()) {
    std::ifstream in{r.psg, std::ios::binary};
    files.emplace_back(std::filesystem::file_size(r.psg), '\0');
    in.read(files.back().data(), static_cast<std::streamsize>(files.back().size()));
    if (files.back().size() <= item) {
      std::fprintf(stderr, "copy_baseline: %s is too short for the window\n", r.psg.c_str());
      return 1;
    }
    fds.push_back(::open(r.psg.c_str(), O_RDONLY));
  }
  // The data records a window spans, as edf_file::read reads them.
  auto records = [&](const window& w) {
    auto& h = data->recordings()[w.recording].file->header();
    auto spr = h.signals[w.channels[0]].samples_per_record;
    auto first = w.start_sample / spr, last = (w.start_sample + samples - 1) / spr;
    return std::make_pair(h.header_bytes + first * h.record_bytes, (last - first + 1) * h.record_bytes);
  };
  std::uint64_t read_bytes = 0;
  for (auto& b : plan)
    for (auto& w : b.items)
      read_bytes += records(w).second;

  std::vector<std::vector<char>> out(threads, std::vector<char>(delivered));
  std::vector<std::vector<char>> in(threads, std::vector<char>(2 * read_bytes / batches + (1 << 20)));
  double best[4] = {1e300, 1e300, 1e300, 1e300};
  for (unsigned round = 0; round < rounds; ++round) {
    best[0] = std::min(best[0], timed(batches, threads, [&](std::size_t b) {
      auto* dst = out[b % threads].data();
      for (auto& w : plan[b].items) {
        auto& f = files[w.recording];
        std::memcpy(dst, f.data() + (w.start_sample * 2) % (f.size() - item), item);
        dst += item;
      }
    }));
    best[1] = std::min(best[1], timed(batches, threads, [&](std::size_t b) {
      auto* dst = in[b % threads].data();
      for (auto& w : plan[b].items) {
        auto [at, n] = records(w);
        if (::pread(fds[w.recording], dst, n, static_cast<off_t>(at)) != static_cast<ssize_t>(n))
          std::abort();
        dst += n;
      }
    }));
    best[2] = std::min(best[2], timed(batches, threads, [&](std::size_t b) {
      (void) src.materialize(plan[b]);
    }));
    lockstep::config cfg;
    cfg.workers = threads;
    lockstep::batcher<random_batches> service{src, cfg};
    auto start = std::chrono::steady_clock::now();
    auto s = start_state;
    for (std::size_t b = 0; b < batches; ++b)
      s = service.take(s)->state;
    best[3] = std::min(best[3], seconds_since(start));
  }
  for (auto fd : fds)
    ::close(fd);

  auto rate = [&](double seconds) { return static_cast<double>(delivered * batches) / 1e6 / seconds; };
  std::printf("copy_baseline: %zu batches of %zu bytes (%u x %u ch x %llu samples), %u threads, "
              "best of %u rounds\n",
              batches, delivered, p.batch_size, src.channels(),
              static_cast<unsigned long long>(samples), threads, rounds);
  std::printf("  (1) memcpy of the delivered bytes  %8.1f MB/s\n", rate(best[0]));
  std::printf("  (2) pread of the windows' records  %8.1f MB/s (%.1f MB/s of file bytes)\n",
              rate(best[1]), static_cast<double>(read_bytes) / 1e6 / best[1]);
  std::printf("  (3) materialize, no runtime        %8.1f MB/s\n", rate(best[2]));
  std::printf("  (4) batcher, %u workers             %8.1f MB/s: %.0f%% of (1), %.0f%% of (2)\n",
              threads, rate(best[3]), 100 * best[0] / best[3], 100 * best[1] / best[3]);
}
