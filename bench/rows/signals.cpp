#include "signals.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "lockstep/runtime/batcher.hpp"
#include "make_dataset.hpp"
#include "../scratch_dir.hpp"
#include "lockstep/signals/random_batches.hpp"
#include "lockstep/signals/resample.hpp"
#include "throughput.hpp"

namespace lockstep::bench {

namespace {

namespace fs = std::filesystem;
using namespace lockstep::signals;

constexpr unsigned workers = 2;

}  // namespace

row signals_row(context& ctx) {
  row r;
  r.name = "signals_mb_s";
  r.unit = "MB/s";
  scratch_dir dir;
  make_dataset_options made;
  // 6 x 4 h x 2 ch x 128 Hz x 2 B = 42 MB: more than the CPU's caches, so
  // copying from it is bound by memory, as reading from the page cache is.
  made.recordings = 6;
  made.minutes = 240;
  made.channels = 2;
  made.sample_rate = 128;
  make_dataset(dir.path, made);
  auto data = dataset::open(dir.path);
  random_batches_params p;
  p.batch_size = 64;
  p.window_seconds = 30;
  random_batches src{data, p};
  const std::size_t batches = ctx.opt.quick ? 400 : 1500;
  const auto item = src.channels() * src.window_samples() * sizeof(float) + src.window_epochs();
  const auto delivered = item * p.batch_size;
  auto start_state = random_batches_state::seeded(1);

  // The plan of windows, for the copy baseline: the same bytes per batch,
  // copied out of the recordings held in memory.
  std::vector<random_batch> plan;
  auto s = start_state;
  for (std::size_t i = 0; i < batches; ++i) {
    auto step = src.iterate(s);
    plan.push_back(std::move(step->first));
    s = step->second;
  }
  std::vector<std::string> files;
  for (auto& rec : data->recordings()) {
    std::ifstream in{rec.psg, std::ios::binary};
    files.emplace_back(fs::file_size(rec.psg), '\0');
    in.read(files.back().data(), static_cast<std::streamsize>(files.back().size()));
  }
  std::vector<std::vector<char>> out(workers, std::vector<char>(delivered));
  auto mb = [&](double seconds) {
    return static_cast<double>(delivered * batches) / 1e6 / seconds;
  };
  // Each measurement returns its MB/s and what a batch cost this process,
  // both over its timed part.
  auto memcpy_bound = [&]() -> throughput {
    auto usage = process_usage::now();
    auto start = bench_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < workers; ++t)
      pool.emplace_back([&, t] {
        for (std::size_t b = t; b < batches; b += workers) {
          auto* dst = out[t].data();
          for (auto& w : plan[b].items) {
            auto& f = files[w.recording];
            std::memcpy(dst, f.data() + (w.start_sample * 2) % (f.size() - item), item);
            dst += item;
          }
        }
      });
    for (auto& th : pool)
      th.join();
    auto rate = mb(seconds_since(start));
    return {rate, (process_usage::now() - usage).per(static_cast<double>(batches))};
  };
  // materialize alone on the same threads: the source's own cost, no runtime.
  auto materialize_only = [&]() -> throughput {
    auto usage = process_usage::now();
    auto start = bench_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < workers; ++t)
      pool.emplace_back([&, t] {
        for (std::size_t b = t; b < batches; b += workers)
          (void) src.materialize(plan[b]);
      });
    for (auto& th : pool)
      th.join();
    auto rate = mb(seconds_since(start));
    return {rate, (process_usage::now() - usage).per(static_cast<double>(batches))};
  };
  // The same windows resampled from 128 Hz to 100 Hz (YASA's rate) when
  // read: MB/s of its own, smaller output.
  dataset_options resampled_options;
  resampled_options.sample_rate = 100;
  random_batches resampled{dataset::open(dir.path, resampled_options), p};
  const auto resampled_item =
    resampled.channels() * resampled.window_samples() * sizeof(float) + resampled.window_epochs();
  auto lockstep_over = [&](const random_batches& source, std::size_t item_bytes) -> throughput {
    config cfg;
    cfg.workers = workers;
    batcher<random_batches> b{source, cfg};
    auto st = start_state;
    st = b.take(st)->state;  // warm up: threads started, first batch out
    auto usage = process_usage::now();
    auto start = bench_clock::now();
    for (std::size_t i = 1; i < batches; ++i)
      st = b.take(st)->state;
    auto timed = static_cast<double>(batches - 1);
    auto rate = static_cast<double>(item_bytes * p.batch_size) * timed / 1e6 / seconds_since(start);
    return {rate, (process_usage::now() - usage).per(timed)};
  };
  auto lockstep_rate = [&] { return lockstep_over(src, item); };
  auto resampled_rate = [&] { return lockstep_over(resampled, resampled_item); };
  // Each returns MB/s in place of batches/s; the workload is theirs already.
  auto as_contender = [](std::string name, std::function<throughput()> f) {
    return contender{std::move(name), {}, [f](const workload&) { return f(); }};
  };
  measure(ctx, r,
          {as_contender("lockstep", lockstep_rate), as_contender("memcpy_bound", memcpy_bound),
           as_contender("materialize_only", materialize_only),
           as_contender("lockstep_resampled_100hz", resampled_rate)});
  r.add_ratio_goal("lockstep", "memcpy_bound", 0.5, true);
  r.add_ratio_goal("lockstep", "materialize_only", 0.9, true);
  r.notes.push_back(
    "materialize_only: random_batches::materialize called directly on the same "
    "threads, without lockstep: what the source itself costs");
  r.notes.push_back(fmt::format(
    "lockstep_resampled_100hz: the same windows read at 100 Hz (sample_rate, a {}-tap "
    "windowed sinc per output sample): MB/s of its own output, {} B a batch; its windows/s "
    "is its MB/s x {:.3f} of lockstep's",
    resampler{128 * 30, 100 * 30}.taps(), resampled_item * p.batch_size,
    static_cast<double>(item) / static_cast<double>(resampled_item)));
  r.setup = fmt::format(
    "{} batches of {} x {} ch x {} samples (30 s at 128 Hz, float32) plus "
    "labels, {} B each, from {} EDF+ recordings of {} min in the page cache; "
    "W = {}; memcpy_bound copies the same bytes per batch out of the "
    "recordings held in memory, on {} threads",
    batches, p.batch_size, src.channels(), src.window_samples(), delivered, made.recordings,
    made.minutes, workers, workers);
  return r;
}

}  // namespace lockstep::bench
