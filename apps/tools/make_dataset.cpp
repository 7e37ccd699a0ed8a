#include "make_dataset.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <edflib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/signals/labels.hpp"
#include "lockstep/signals/portable_math.hpp"
#include "lockstep/signals/sampling.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::signals {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t ticks_per_edflib_unit = 1000;  // edflib writes in 100 µs units
constexpr std::size_t max_annotation_text = 40;       // edflib's limit when writing

// Closes the handle and removes the temporary file unless the write finished.
struct open_writer {
  int handle = -1;
  fs::path tmp;
  ~open_writer() {
    if (handle >= 0) {
      auto lock = lock_edflib();
      edfclose_file(handle);
    }
    if (!tmp.empty()) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
    }
  }
};

enum class synth_stage : std::uint8_t { W, N1, N2, N3, R, movement };

struct component {
  double hz;
  double microvolts;
};

struct stage_signal {
  std::array<component, 2> waves;
  double noise;
  bool spindles;
};

// What each stage sounds like on an EEG, roughly.
stage_signal signal_of(synth_stage s) {
  switch (s) {
    case synth_stage::W: return {{{{10, 25}, {20, 6}}}, 10, false};
    case synth_stage::N1: return {{{{6, 30}, {10, 8}}}, 10, false};
    case synth_stage::N2: return {{{{5, 30}, {2, 10}}}, 10, true};
    case synth_stage::N3: return {{{{1, 120}, {2, 60}}}, 12, false};
    case synth_stage::R: return {{{{6, 25}, {20, 8}}}, 10, false};
    case synth_stage::movement: return {{{{0, 0}, {0, 0}}}, 90, false};
  }
  return {};
}

// One 30 s epoch's next stage given this one: a coarse sleep-cycle chain.
synth_stage next_stage(synth_stage s, xoshiro256ss& rng) {
  static const std::array<std::array<double, 6>, 6> rows{{
    //  W     N1    N2    N3    R     movement
    {{0.895, 0.080, 0.010, 0.000, 0.010, 0.005}},
    {{0.050, 0.595, 0.300, 0.000, 0.050, 0.005}},
    {{0.020, 0.030, 0.845, 0.060, 0.040, 0.005}},
    {{0.010, 0.000, 0.090, 0.895, 0.000, 0.005}},
    {{0.030, 0.040, 0.050, 0.000, 0.875, 0.005}},
    {{0.600, 0.200, 0.200, 0.000, 0.000, 0.000}},
  }};
  auto& row = rows[static_cast<std::size_t>(s)];
  return static_cast<synth_stage>(weighted_choice{row, "transitions"}(rng));
}

std::string stage_text(synth_stage s, bool stage4) {
  switch (s) {
    case synth_stage::W: return "Sleep stage W";
    case synth_stage::N1: return "Sleep stage 1";
    case synth_stage::N2: return "Sleep stage 2";
    case synth_stage::N3: return stage4 ? "Sleep stage 4" : "Sleep stage 3";
    case synth_stage::R: return "Sleep stage R";
    case synth_stage::movement: return "Movement time";
  }
  return {};
}

std::string channel_label(std::uint32_t c) {
  static constexpr std::array<const char*, 4> sleep_edf{"EEG Fpz-Cz", "EEG Pz-Oz", "EEG C3-A2",
                                                        "EEG C4-A1"};
  return c < sleep_edf.size() ? sleep_edf[c] : "EEG " + std::to_string(c + 1);
}

std::string numbered(const char* pattern, std::uint32_t i) {
  char name[64];
  std::snprintf(name, sizeof name, pattern, i);
  return name;
}

[[noreturn]] void io_failed(const fs::path& file, const std::string& what, int err) {
  throw error(errc::io_error, file.string() + ": " + what + " (" + std::strerror(err) + ")");
}

// fsync(2) of a file or directory by name.
void sync_path(const fs::path& p, const fs::path& named, bool directory) {
  int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_WRONLY) | O_CLOEXEC);
  if (fd < 0)
    io_failed(named, "cannot be written", errno);
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    io_failed(named, "cannot be written to disk", err);
  }
  if (::close(fd) != 0)
    io_failed(named, "cannot be written", errno);
}

void check_written(const fs::path& tmp, const fs::path& file, std::uint64_t records) {
  edf_hdr_struct hdr{};
  int rc;
  {
    auto lock = lock_edflib();
    rc = edfopen_file_readonly(tmp.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS);
    if (rc == 0)
      edfclose_file(hdr.handle);
  }
  if (rc != 0 || (records > 0 && static_cast<std::uint64_t>(hdr.datarecords_in_file) != records))
    throw error(errc::io_error,
                file.string() + ": cannot be written whole (it reads back "
                  + (rc != 0 ? "as malformed, edflib error " + std::to_string(hdr.filetype)
                             : "with " + std::to_string(hdr.datarecords_in_file) + " of "
                                 + std::to_string(records) + " records")
                  + "; is the disk full?)");
  sync_path(tmp, file, false);
}

}  // namespace

void write_edf(const fs::path& file, const edf_contents& contents) {
  auto bad = [&file](const std::string& why) {
    throw error(errc::invalid_config, file.string() + ": cannot be written: " + why);
  };
  std::uint64_t records = 0;
  for (std::size_t i = 0; i < contents.signals.size(); ++i) {
    auto& s = contents.signals[i];
    if (s.sample_rate == 0 || s.samples.size() % s.sample_rate != 0)
      bad("signal " + std::to_string(i) + " is not a whole number of 1 s records");
    auto n = s.samples.size() / s.sample_rate;
    if (i > 0 && n != records)
      bad("its signals last different numbers of seconds");
    records = n;
  }
  if (!contents.signals.empty() && records == 0)
    bad("its signals are empty");
  for (auto& a : contents.annotations)
    if (a.onset < 0 || a.onset % ticks_per_edflib_unit != 0
        || (a.duration >= 0 && a.duration % ticks_per_edflib_unit != 0)
        || a.text.size() > max_annotation_text)
      bad("the annotation \"" + a.text + "\" is not writable (onset >= 0 and times in whole "
          "100 µs, text of at most 40 bytes)");
  // Each data record carries a few annotations per annotation signal.
  auto annotation_signals = records == 0 ? std::uint64_t{1}
                                         : std::max<std::uint64_t>(
                                             1, (contents.annotations.size() + records - 1) / records);
  if (annotation_signals > 64)
    bad("too many annotations for its length");
  if (contents.start_delay_seconds >= 7200)
    bad("start_delay_seconds must be below 7200");

  open_writer w;
  w.tmp = file;
  w.tmp += ".tmp";
  {
    auto lock = lock_edflib();
    w.handle = edfopen_file_writeonly(w.tmp.c_str(), EDFLIB_FILETYPE_EDFPLUS,
                                      static_cast<int>(contents.signals.size()));
  }
  if (w.handle < 0)
    throw error(errc::io_error, file.string() + ": cannot be created (edflib error "
                                  + std::to_string(w.handle) + ")");
  auto check = [&file](int rc, const char* what) {
    if (rc != 0)
      throw error(errc::io_error, file.string() + ": edflib refused " + what);
  };
  for (std::size_t i = 0; i < contents.signals.size(); ++i) {
    auto& s = contents.signals[i];
    int k = static_cast<int>(i);
    check(edf_set_samplefrequency(w.handle, k, static_cast<int>(s.sample_rate)), "the sample rate");
    check(edf_set_physical_maximum(w.handle, k, s.physical_max), "the physical maximum");
    check(edf_set_physical_minimum(w.handle, k, s.physical_min), "the physical minimum");
    check(edf_set_digital_maximum(w.handle, k, s.digital_max), "the digital maximum");
    check(edf_set_digital_minimum(w.handle, k, s.digital_min), "the digital minimum");
    check(edf_set_label(w.handle, k, s.label.c_str()), "the label");
    check(edf_set_physical_dimension(w.handle, k, s.unit.c_str()), "the unit");
  }
  // Without a start date edflib writes the current one.
  auto delay = static_cast<int>(contents.start_delay_seconds);
  check(edf_set_startdatetime(w.handle, 1989, 4, 24, 22 + delay / 3600, delay / 60 % 60, delay % 60),
        "the start date");
  if (contents.start_subsecond >= ticks_per_second)
    throw error(errc::invalid_config, file.string() + ": a sub-second start must be below 1 s");
  if (contents.start_subsecond > 0)
    check(edf_set_subsecond_starttime(w.handle, static_cast<int>(contents.start_subsecond)),
          "the sub-second start");
  check(edf_set_number_of_annotation_signals(w.handle, static_cast<int>(annotation_signals)),
        "the number of annotation signals");
  for (std::uint64_t r = 0; r < records; ++r)
    for (auto& s : contents.signals)
      check(edfwrite_digital_short_samples(
              w.handle, const_cast<short*>(s.samples.data() + r * s.sample_rate)),
            "the samples");
  for (auto& a : contents.annotations)
    check(edfwrite_annotation_utf8(w.handle, a.onset / ticks_per_edflib_unit,
                                   a.duration < 0 ? -1 : a.duration / ticks_per_edflib_unit,
                                   a.text.c_str()),
          "an annotation");
  int closed;
  {
    auto lock = lock_edflib();
    closed = edfclose_file(w.handle);
    w.handle = -1;
  }
  if (closed != 0)
    throw error(errc::io_error, file.string() + ": cannot be written (edflib error "
                                  + std::to_string(closed) + ")");
  // edflib does not report every failed write (a full disk, a file size
  // limit): the file is read back, and must hold every data record, before
  // it is published; then it is put on disk.
  check_written(w.tmp, file, records);
  std::error_code ec;
  fs::rename(w.tmp, file, ec);
  if (ec)
    throw error(errc::io_error, file.string() + ": cannot be written (" + ec.message() + ")");
  w.tmp.clear();
}

void make_dataset_options::validate() const {
  auto bad = [](const std::string& why) {
    throw error(errc::invalid_config, "invalid dataset options: " + why);
  };
  if (recordings < 1 || recordings > 10000)
    bad("recordings must be 1 to 10000");
  if (minutes < 1 || minutes > 48 * 60)
    bad("minutes must be 1 to 2880 (48 hours)");
  if (channels < 1 || channels > 64)
    bad("channels must be 1 to 64");
  if (sample_rate < 1 || sample_rate > 4096)
    bad("sample_rate must be 1 to 4096 Hz");
}

namespace {
std::vector<std::string> write_recordings(const fs::path& dir, const make_dataset_options& o);
}  // namespace

void check_dataset_destination(const fs::path& dir) {
  std::error_code ec;
  auto st = fs::status(dir, ec);
  if (!fs::exists(st))
    return;
  if (!fs::is_directory(st))
    throw error(errc::invalid_config, dir.string() + ": exists and is not a directory");
  if (!fs::is_empty(dir, ec) || ec)
    throw error(errc::invalid_config,
                dir.string() + ": is not empty; a dataset is written only into a new or empty "
                               "directory, so that no recording of an earlier one stays beside it "
                               "(remove it, or name another)");
}

std::vector<fs::path> make_dataset(const fs::path& given, const make_dataset_options& o) {
  o.validate();
  auto dir = given.lexically_normal();
  if (dir.filename().empty())
    dir = dir.parent_path();  // "out/"
  check_dataset_destination(dir);
  std::error_code ec;
  if (!dir.parent_path().empty()) {
    fs::create_directories(dir.parent_path(), ec);
    if (ec)
      throw error(errc::io_error, dir.string() + ": cannot be created (" + ec.message() + ")");
  }
  // Written into a directory of its own beside `dir`, renamed into place
  // when every file is whole: a failure publishes nothing.
  auto staging = dir.string() + ".tmp.XXXXXX";
  if (::mkdtemp(staging.data()) == nullptr)
    io_failed(dir, "cannot be created", errno);
  struct remove_unless_published {
    fs::path path;
    ~remove_unless_published() {
      if (!path.empty()) {
        std::error_code ignored;
        fs::remove_all(path, ignored);
      }
    }
  } guard{staging};
  ::chmod(staging.c_str(), 0755);
  std::vector<std::string> names;
  try {
    names = write_recordings(staging, o);
  } catch (const error& e) {
    // Named as the file would have been published.
    std::string what = e.what();
    if (auto at = what.find(staging); at != std::string::npos)
      what.replace(at, staging.size(), dir.string());
    throw error(e.code(), what);
  }
  sync_path(staging, dir, true);
  if (::rename(staging.c_str(), dir.c_str()) != 0)
    io_failed(dir, "cannot be created", errno);  // e.g. filled meanwhile
  guard.path.clear();
  auto parent = dir.parent_path();
  sync_path(parent.empty() ? fs::path{"."} : parent, dir, true);
  std::vector<fs::path> written;
  for (auto& n : names)
    written.push_back(dir / n);
  return written;
}

namespace {

// The stage of each epoch: a Markov chain from wake. In the Sleep-EDF layout
// the first quarter and the last fifth of the night are wake, as a cassette
// recording runs from the afternoon to the next morning, and sleep begins
// with a first cycle's descent (N1, N2, N2, N3, N3), so that every night of a
// few minutes' sleep holds slow-wave sleep to write as R&K's 3 and 4.
std::vector<synth_stage> draw_stages(std::uint64_t epochs, bool long_wake, xoshiro256ss& rng) {
  using enum synth_stage;
  static constexpr std::array descent{N1, N2, N2, N3, N3};
  std::vector<synth_stage> stages;
  auto s = W;
  const auto asleep = long_wake ? epochs / 4 : 0;
  const auto awake = long_wake ? epochs - epochs / 5 : epochs;
  for (std::uint64_t e = 0; e < epochs; ++e) {
    if (long_wake && e >= asleep && e - asleep < descent.size())
      s = descent[e - asleep];
    stages.push_back(e < asleep || e >= awake ? W : s);
    s = next_stage(s, rng);
  }
  return stages;
}

// The hypnogram: runs of one stage become spans; the last epoch is "Sleep
// stage ?", as Sleep-EDF's hypnograms end (in its layout running `past`
// epochs beyond the signals). A run of N3 is R&K's 3 or 4 at random, or, with
// `deepening` (the Sleep-EDF layout), 3 for its first half and 4 after, as
// slow waves grow through a period of slow-wave sleep.
edf_contents hypnogram(const std::vector<synth_stage>& stages, std::uint64_t past,
                       bool deepening, xoshiro256ss& rng) {
  constexpr std::int64_t epoch = 30 * ticks_per_second;
  edf_contents hyp;
  auto span = [&hyp](std::uint64_t from, std::uint64_t to, std::string text) {
    hyp.annotations.push_back({static_cast<std::int64_t>(from) * epoch,
                               static_cast<std::int64_t>(to - from) * epoch, std::move(text)});
  };
  const auto epochs = stages.size();
  for (std::uint64_t e = 0; e + 1 < epochs;) {
    auto run = e;
    while (run + 1 < epochs && stages[run] == stages[e])
      ++run;
    if (!deepening) {
      span(e, run, stage_text(stages[e], uniform01(rng) < 0.5));
    } else if (stages[e] == synth_stage::N3 && run - e >= 2) {
      auto half = e + (run - e + 1) / 2;
      span(e, half, stage_text(synth_stage::N3, false));
      span(half, run, stage_text(synth_stage::N3, true));
    } else {
      span(e, run, stage_text(stages[e], false));
    }
    e = run;
  }
  span(epochs - 1, epochs + past, "Sleep stage ?");
  return hyp;
}

// EEG-like samples whose character follows the stage, one signal per label.
std::vector<signal_data> eeg_signals(const std::vector<synth_stage>& stages,
                                     const std::vector<std::string>& labels,
                                     std::uint32_t rate, xoshiro256ss& rng) {
  constexpr double two_pi = 6.28318530717958647692;
  constexpr std::uint32_t epoch_seconds = 30;
  const std::uint64_t epoch_samples = std::uint64_t{epoch_seconds} * rate;
  std::vector<signal_data> out;
  for (auto& label : labels) {
    signal_data sig;
    sig.label = label;
    sig.sample_rate = rate;
    sig.samples.resize(stages.size() * epoch_samples);
    out.push_back(std::move(sig));
  }
  // physical = bit * (0.5 + digital) for the ±1000 µV, 16-bit range.
  const double bit = 2000.0 / 65535.0;
  for (std::uint64_t e = 0; e < stages.size(); ++e) {
    auto look = signal_of(stages[e]);
    // A spindle: a 1 s burst of 13 Hz somewhere in an N2 epoch.
    auto spindle_at = static_cast<double>(uniform_below(rng, epoch_seconds - 1));
    for (std::size_t c = 0; c < out.size(); ++c) {
      auto scale = 1.0 - 0.15 * static_cast<double>(c % 4);
      std::array<double, 2> phase{uniform01(rng) * two_pi, uniform01(rng) * two_pi};
      auto* samples = out[c].samples.data() + e * epoch_samples;
      for (std::uint64_t i = 0; i < epoch_samples; ++i) {
        auto t = static_cast<double>(i) / rate;
        double v = 0;
        for (std::size_t k = 0; k < look.waves.size(); ++k)
          if (2 * look.waves[k].hz < rate)
            v += look.waves[k].microvolts * portable_sin(two_pi * look.waves[k].hz * t + phase[k]);
        if (look.spindles && t >= spindle_at && t < spindle_at + 1 && 26 < rate)
          v += 40 * portable_sin(two_pi * 0.5 * (t - spindle_at)) * portable_sin(two_pi * 13 * t);
        v += look.noise * (uniform01(rng) + uniform01(rng) - 1);
        auto d = std::llround(scale * v / bit - 0.5);
        samples[i] = static_cast<std::int16_t>(std::clamp<long long>(d, -32768, 32767));
      }
    }
  }
  return out;
}

// Sleep-EDF's 1 Hz signals: breathing, chin EMG (strongest awake, weakest in
// R), rectal temperature falling through the night, a silent event marker.
std::vector<signal_data> slow_signals(const std::vector<synth_stage>& stages, xoshiro256ss& rng) {
  constexpr double two_pi = 6.28318530717958647692;
  const auto n = stages.size() * 30;
  auto make = [n](std::string label, std::string unit, double lo, double hi) {
    signal_data s;
    s.label = std::move(label);
    s.unit = std::move(unit);
    s.sample_rate = 1;
    s.physical_min = lo;
    s.physical_max = hi;
    s.samples.resize(n);
    return s;
  };
  std::vector<signal_data> out{make("Resp oro-nasal", "", -2048, 2047),
                               make("EMG submental", "uV", 0, 100),
                               make("Temp rectal", "DegC", 34, 40),
                               make("Event marker", "", -2048, 2047)};
  auto digital = [](const signal_data& s, double v) {
    const double bit = (s.physical_max - s.physical_min) / 65535.0;
    auto d = std::llround((v - s.physical_min) / bit - 32768);
    return static_cast<std::int16_t>(std::clamp<long long>(d, -32768, 32767));
  };
  for (std::size_t i = 0; i < n; ++i) {
    auto st = stages[i / 30];
    double t = static_cast<double>(i);
    double tone = st == synth_stage::W ? 40 : st == synth_stage::R ? 5 : 20;
    out[0].samples[i] =
      digital(out[0], 800 * portable_sin(two_pi * 0.23 * t) + 50 * (uniform01(rng) - 0.5));
    out[1].samples[i] = digital(out[1], tone + 10 * uniform01(rng));
    out[2].samples[i] =
      digital(out[2], 37.2 - 0.6 * t / static_cast<double>(n) + 0.01 * uniform01(rng));
    out[3].samples[i] = digital(out[3], 0);
  }
  return out;
}

// The recordings, written into `dir`; returns their names.
std::vector<std::string> write_recordings(const fs::path& dir, const make_dataset_options& o) {
  const bool sleep_edf = o.layout == dataset_layout::sleep_edf;
  const std::uint64_t epochs = std::uint64_t{o.minutes} * 60 / 30;
  xoshiro256ss master{o.seed};
  std::vector<std::string> written;
  for (std::uint32_t r = 0; r < o.recordings; ++r) {
    xoshiro256ss rng{master()};
    auto stages = draw_stages(epochs, sleep_edf, rng);
    auto hyp = hypnogram(stages, sleep_edf ? 60 : 0, sleep_edf, rng);
    edf_contents psg;
    fs::path psg_path, hyp_path;
    if (sleep_edf) {
      psg.signals = eeg_signals(stages, {"EEG Fpz-Cz", "EEG Pz-Oz", "EOG horizontal"}, 100, rng);
      for (auto& s : slow_signals(stages, rng))
        psg.signals.push_back(std::move(s));
      // Subject by subject, two nights each: SC4001, SC4002, SC4011, ...
      auto name = numbered("SC4%02u", r / 2) + std::to_string(r % 2 + 1);
      psg_path = dir / (name + "E0-PSG.edf");
      hyp_path = dir / (name + "EC-Hypnogram.edf");
    } else {
      std::vector<std::string> labels;
      for (std::uint32_t c = 0; c < o.channels; ++c)
        labels.push_back(channel_label(c));
      psg.signals = eeg_signals(stages, labels, o.sample_rate, rng);
      psg_path = dir / numbered("SL%04uE0-PSG.edf", r);
      hyp_path = dir / numbered("SL%04uEC-Hypnogram.edf", r);
    }
    write_edf(psg_path, psg);
    write_edf(hyp_path, hyp);
    written.push_back(psg_path.filename().string());
    written.push_back(hyp_path.filename().string());
  }
  return written;
}

}  // namespace

}  // namespace lockstep::signals
