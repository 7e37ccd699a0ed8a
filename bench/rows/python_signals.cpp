#include "python_signals.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
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

// A Python peer in a process of its own; its MB/s over its timed part.
double peer_mb_s(const std::vector<std::string>& argv) {
  child_process peer{argv, {std::string{"PYTHONPATH="} + LOCKSTEP_BENCH_PYTHONPATH}};
  auto line = peer.read_line();
  if (peer.wait() != 0 || !line)
    throw std::runtime_error(argv[1] + " failed (its error is above)");
  return boost::json::parse(*line).at("mb_s").to_number<double>();
}

// The first `batches` batches lockstep delivers, as the MNE peer reads them.
void write_plan(const random_batches& src, std::size_t batches, const std::string& file) {
  boost::json::array files, plan;
  for (auto& rec : src.data().recordings())
    files.emplace_back(rec.psg.string());
  auto s = random_batches_state::seeded(1);
  for (std::size_t b = 0; b < batches; ++b) {
    auto step = src.iterate(s);
    boost::json::array windows;
    for (auto& w : step->first.items) {
      auto& labels = src.data().recordings()[w.recording].labels;
      boost::json::array channels, y;
      for (auto c : w.channels)
        channels.emplace_back(c);
      for (std::uint64_t e = 0; e < src.window_epochs(); ++e)
        y.emplace_back(labels[w.start_epoch + e]);
      windows.emplace_back(boost::json::array{w.recording, w.start_sample, channels, y});
    }
    plan.emplace_back(std::move(windows));
    s = step->second;
  }
  std::ofstream{file} << boost::json::serialize(boost::json::object{
    {"files", files}, {"window_samples", src.window_samples()}, {"batches", plan}});
}

bool imports(const std::string& python, const char* modules) {
  auto command = python + " -c 'import " + modules + "' 2>/dev/null";
  return std::system(command.c_str()) == 0;
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
  auto python = [&] {
    return peer_mb_s({ctx.opt.python, LOCKSTEP_BENCH_PYTHON_SIGNALS, dir.path.string(),
                      std::to_string(batches), std::to_string(workers)});
  };
  std::vector<std::function<double()>> measure{cpp_mb_s, python};
  // MNE reads a window in about a millisecond: fewer batches keep the row short.
  const std::size_t mne_batches = ctx.opt.quick ? 40 : 150;
  scratch_dir work;  // not beside the recordings: the dataset is their directory
  auto plan = (work.path / "plan.json").string();
  const bool mne = imports(ctx.opt.python, "mne, torch");
  if (mne) {
    write_plan(src, mne_batches, plan);
    measure.push_back([&] {
      return peer_mb_s({ctx.opt.python, LOCKSTEP_BENCH_MNE_LOADER, plan, std::to_string(workers)});
    });
  } else {
    r.notes.push_back("pytorch_mne: not measured, " + ctx.opt.python + " cannot import mne and "
                      "torch (scripts/install-mne.sh installs python3-mne)");
  }
  auto samples = interleaved(measure, ctx.opt.reps);
  r.add("lockstep", summarize(samples[0]));
  r.add("python", summarize(samples[1]));
  if (mne)
    r.add("pytorch_mne", summarize(samples[2]));
  r.add_ratio_goal("python", "lockstep", 0.9, true);
  r.setup = fmt::format(
    "{} batches of {} x {} ch x {} samples (30 s at 128 Hz, float32) plus labels, {} B each, "
    "from {} EDF+ recordings of {} min in the page cache; W = {}; python: Batcher.take in "
    "{} (bench/peers/python_signals.py), each batch as NumPy arrays over the output's memory, "
    "timed after its first batch, as the C++ take loop is; pytorch_mne: the first {} of the "
    "same batches read by MNE (read_raw_edf, preload=False, get_data per window) in a PyTorch "
    "DataLoader with {} worker processes, one item a batch (bench/peers/mne_loader.py)",
    batches, p.batch_size, src.channels(), src.window_samples(), delivered, made.recordings,
    made.minutes, workers, ctx.opt.python, mne_batches, workers);
  return r;
}

}  // namespace lockstep::bench
