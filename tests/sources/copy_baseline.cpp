// copy_baseline: the ceiling `lockstep run --source signals` is measured
// against. For the batches that run would draw (same seed and parameters), it
// times, on T threads: (1) memcpy of as many bytes as run delivers, from the
// recordings held in memory; (2) pread() of each window's data records from
// the page cache; (3) random_batches::materialize alone, without the runtime.
// Run it right before or after `lockstep run` on the same dataset:
//
//   copy_baseline DIR [--batches N] [--batch-size B] [--window-seconds S]
//                     [--n-channels C] [--threads T] [--seed N]
//
// Without DIR it makes a small dataset in a temporary directory (a smoke test).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include "lockstep/sources/signals/make_dataset.hpp"
#include "lockstep/sources/signals/random_batches.hpp"
#include "temp_dir.hpp"

using namespace lockstep::signals;

namespace {

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
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  std::size_t batches = 200;
  unsigned threads = 2;
  std::uint64_t seed = 1;
  random_batches_params p;
  p.batch_size = 64;
  p.window_seconds = 30;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string{argv[++i]} : std::string{"0"}; };
    if (a == "--batches") batches = std::stoul(next());
    else if (a == "--batch-size") p.batch_size = static_cast<std::uint32_t>(std::stoul(next()));
    else if (a == "--window-seconds") p.window_seconds = std::stod(next());
    else if (a == "--n-channels") p.n_channels = static_cast<std::uint32_t>(std::stoul(next()));
    else if (a == "--threads") threads = static_cast<unsigned>(std::stoul(next()));
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
  }

  auto data = dataset::open(dir);
  random_batches src{data, p};
  std::vector<random_batch> plan;
  auto state = random_batches_state::seeded(seed);
  for (std::size_t i = 0; i < batches; ++i) {
    auto [b, next] = *src.iterate(state);
    plan.push_back(std::move(b));
    state = next;
  }
  const auto samples = src.window_samples();
  const auto delivered = (src.channels() * samples * sizeof(float) + src.window_epochs()) * p.batch_size;

  // (1) memcpy of the delivered bytes out of recordings held in memory.
  std::vector<std::string> files;
  for (auto& r : data->recordings()) {
    std::ifstream in{r.psg, std::ios::binary};
    files.emplace_back(std::filesystem::file_size(r.psg), '\0');
    in.read(files.back().data(), static_cast<std::streamsize>(files.back().size()));
  }
  auto copy_item = delivered / p.batch_size;
  for (auto& f : files)
    if (f.size() <= copy_item) {
      std::fprintf(stderr, "copy_baseline: recordings too short for the window\n");
      return 1;
    }
  std::vector<std::vector<char>> out(threads, std::vector<char>(delivered));
  auto memcpy_s = timed(batches, threads, [&](std::size_t b) {
    auto* dst = out[b % threads].data();
    for (auto& w : plan[b].items) {
      auto& f = files[w.recording];
      auto at = (w.start_sample * 2) % (f.size() - copy_item);
      std::memcpy(dst, f.data() + at, copy_item);
      dst += copy_item;
    }
  });

  // (2) pread of each window's data records from the page cache.
  std::vector<int> fds;
  for (auto& r : data->recordings())
    fds.push_back(::open(r.psg.c_str(), O_RDONLY));
  std::uint64_t read_bytes = 0;
  for (auto& b : plan)
    for (auto& w : b.items) {
      auto& h = data->recordings()[w.recording].file->header();
      auto spr = h.signals[w.channels[0]].samples_per_record;
      read_bytes += ((w.start_sample + samples - 1) / spr - w.start_sample / spr + 1) * h.record_bytes;
    }
  std::vector<std::vector<char>> in(threads, std::vector<char>(read_bytes / batches * 2 + (1 << 20)));
  auto pread_s = timed(batches, threads, [&](std::size_t b) {
    auto* dst = in[b % threads].data();
    for (auto& w : plan[b].items) {
      auto& h = data->recordings()[w.recording].file->header();
      auto spr = h.signals[w.channels[0]].samples_per_record;
      auto first = w.start_sample / spr, last = (w.start_sample + samples - 1) / spr;
      auto n = (last - first + 1) * h.record_bytes;
      if (::pread(fds[w.recording], dst, n, static_cast<off_t>(h.header_bytes + first * h.record_bytes))
          != static_cast<ssize_t>(n))
        std::abort();
      dst += n;
    }
  });
  for (auto fd : fds)
    ::close(fd);

  // (3) materialize alone.
  auto materialize_s = timed(batches, threads, [&](std::size_t b) { (void)src.materialize(plan[b]); });

  auto mb = [](double bytes, double s) { return bytes / 1e6 / s; };
  auto total = static_cast<double>(delivered * batches);
  std::printf("copy_baseline: %zu batches of %zu bytes (%u x %u ch x %llu samples), %u threads\n",
              batches, delivered, p.batch_size, src.channels(), static_cast<unsigned long long>(samples),
              threads);
  std::printf("  memcpy of the delivered bytes:    %8.1f MB/s\n", mb(total, memcpy_s));
  std::printf("  pread of the windows' records:    %8.1f MB/s of file bytes (%.1f MB/s of delivered "
              "bytes)\n", mb(static_cast<double>(read_bytes), pread_s), mb(total, pread_s));
  std::printf("  materialize without the runtime:  %8.1f MB/s\n", mb(total, materialize_s));
}
