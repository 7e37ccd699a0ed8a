// Writing EDF+ files, and a synthetic Sleep-EDF-style dataset to try things on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lockstep/signals/edf_file.hpp"

namespace lockstep::signals {

/// One 16-bit signal to write: `samples` holds whole data records of 1 s.
struct signal_data {
  std::string label;
  std::string unit = "uV";
  std::uint32_t sample_rate = 0;  ///< samples per 1 s record
  double physical_min = -1000;
  double physical_max = 1000;
  std::int32_t digital_min = -32768;
  std::int32_t digital_max = 32767;
  std::vector<std::int16_t> samples;
};

/// An EDF+ file: signals of equal duration (none for a hypnogram) and
/// annotations, whose onsets and durations are whole multiples of 100 µs (the
/// resolution edflib writes).
struct edf_contents {
  std::vector<signal_data> signals;
  std::vector<edf_annotation> annotations;
  std::uint32_t start_delay_seconds = 0;  ///< below 7200: starts at 22:00:00 + this
  std::uint32_t start_subsecond = 0;      ///< EDF+ sub-second start, in 100 ns ticks (< 10^7)
};

/// Writes `contents` through edflib's writer with a fixed start date
/// (1989-04-24), so the bytes depend on `contents` only; via a temporary file
/// renamed into place.
/// Throws lockstep::error(invalid_config) for contents edflib cannot write,
/// lockstep::error(io_error) naming the file when writing fails.
void write_edf(const std::filesystem::path& file, const edf_contents& contents);

enum class dataset_layout {
  plain,      ///< SL0000E0 names, `channels` EEG signals at `sample_rate`
  sleep_edf,  ///< PhysioNet Sleep-EDF's sleep-cassette layout (make_dataset)
};

struct make_dataset_options {
  dataset_layout layout = dataset_layout::plain;
  std::uint32_t recordings = 4;
  std::uint32_t minutes = 60;
  std::uint32_t channels = 2;
  std::uint32_t sample_rate = 128;
  std::uint64_t seed = 1;

  /// Throws lockstep::error(invalid_config) naming the bad field.
  void validate() const;
};

/// Writes `recordings` pairs named as PhysioNet's Sleep-EDF names them,
/// SL0000E0-PSG.edf with SL0000EC-Hypnogram.edf, ...: a hypnogram of R&K
/// sleep stages drawn from a Markov chain over 30 s epochs, and EEG-like
/// signals whose character follows the stage (alpha in W, theta in N1 and R,
/// spindles in N2, large slow waves in N3). Deterministic from the seed on
/// every platform (integer and IEEE double arithmetic only). Returns the
/// files written.
///
/// With layout sleep_edf, the files are those of Sleep-EDF's sleep cassette:
/// SC4ssNE0-PSG.edf with SC4ssNEC-Hypnogram.edf, two nights (N = 1, 2) per
/// subject ss; the PSG holds "EEG Fpz-Cz", "EEG Pz-Oz" and "EOG horizontal" at
/// 100 Hz, and "Resp oro-nasal", "EMG submental", "Temp rectal" and "Event
/// marker" at 1 Hz (`channels` and `sample_rate` do not apply); each night
/// starts and ends with long wake (a quarter and a fifth of it, so cropping
/// wake matters), falls asleep through N1 and N2 into slow-wave sleep written
/// as "Sleep stage 3" then "Sleep stage 4" (both present from 4 minutes on),
/// and its hypnogram ends with a "Sleep stage ?" running 30 min past the
/// signals.
///
/// Whole or nothing: `dir` must not exist or be empty (a directory holding
/// files is refused, so no stale recording of an earlier dataset stays
/// beside the new ones); the files are written into a new directory beside
/// it (DIR.tmp.XXXXXX), each read back and fsynced, and that directory is
/// renamed to `dir` at the end. A failed write (a full disk) throws
/// lockstep::error(io_error) naming the file and leaves no `dir`.
std::vector<std::filesystem::path> make_dataset(const std::filesystem::path& dir,
                                                const make_dataset_options& options);

/// Throws lockstep::error(invalid_config) naming `dir` unless make_dataset
/// may write there: it does not exist, or is an empty directory.
void check_dataset_destination(const std::filesystem::path& dir);

}  // namespace lockstep::signals
