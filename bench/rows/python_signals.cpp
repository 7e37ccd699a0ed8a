#include "python_signals.hpp"

#include <string>

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include "../child_process.hpp"
#include "../scratch_dir.hpp"
#include "lockstep/runtime/batcher.hpp"
#include "lockstep/signals/random_batches.hpp"
#include "make_dataset.hpp"

namespace lockstep::bench {

namespace {

using namespace lockstep::signals;
constexpr std::size_t workers = 2;

// The Python peer in a process of its own; its MB/s over its timed part.
double python_mb_s(const std::string& python, const scratch_dir& dir, std::size_t batches) {
  child_process peer{{python, LOCKSTEP_BENCH_PYTHON_SIGNALS, dir.path.string(),
                      std::to_string(batches), std::to_string(workers)},
                     {std::string{"PYTHONPATH="} + LOCKSTEP_BENCH_PYTHONPATH}};
  auto line = peer.read_line();
  if (peer.wait() != 0 || !line)
    throw std::runtime_error("the Python peer failed (its error is above)");
  return boost::json::parse(*line).at("mb_s").to_number<double>();
}

}  // namespace

row python_signals_row(context& ctx) {
  row r;
  r.name = "python_signals_mb_s";
  r.unit = "MB/s";
  if (std::string_view{LOCKSTEP_BENCH_PYTHONPATH}.empty())
    return skipped_row(r.name, r.unit, true,
                       "the Python module is not built (configure with LOCKSTEP_BUILD_PYTHON=ON)");
  scratch_dir dir;
  make_dataset_options made;  // as signals_mb_s: more than the caches hold
  made.recordings = 6;
  made.minutes = 240;
  made.channels = 2;
  made.sample_rate = 128;
  make_dataset(dir.path, made);
  random_batches_params p;
  p.batch_size = 64;
  p.window_seconds = 30;
  random_batches src{dataset::open(dir.path), p};
  const std::size_t batches = ctx.opt.quick ? 400 : 1500;
  const auto delivered = (src.channels() * src.window_samples() * sizeof(float) +
                          src.window_epochs()) * p.batch_size;

  auto cpp_mb_s = [&] {
    config cfg;
    cfg.workers = workers;
    batcher<random_batches> b{src, cfg};
    auto st = b.take(random_batches_state::seeded(1))->state;  // warm up, as the peer does
    auto start = bench_clock::now();
    for (std::size_t i = 1; i < batches; ++i)
      st = b.take(st)->state;
    return static_cast<double>(delivered * (batches - 1)) / 1e6 / seconds_since(start);
  };
  auto samples = interleaved({cpp_mb_s, [&] { return python_mb_s(ctx.opt.python, dir, batches); }},
                             ctx.opt.reps);
  r.add("lockstep", summarize(samples[0]));
  r.add("python", summarize(samples[1]));
  r.add_ratio_goal("python", "lockstep", 0.9, true);
  r.notes.push_back(
    "pytorch_mne (a DataLoader over the same windows read by MNE, as Python users do today): "
    "not measured yet, python3-mne cannot be installed beside Boost 1.81's packages "
    "(docs/python.md)");
  r.setup = fmt::format(
    "{} batches of {} x {} ch x {} samples (30 s at 128 Hz, float32) plus labels, {} B each, "
    "from {} EDF+ recordings of {} min in the page cache; W = {}; python: Batcher.take in "
    "{} (bench/peers/python_signals.py), each batch as NumPy arrays over the output's memory, "
    "timed after its first batch, as the C++ take loop is",
    batches, p.batch_size, src.channels(), src.window_samples(), delivered, made.recordings,
    made.minutes, workers, ctx.opt.python);
  return r;
}

}  // namespace lockstep::bench
