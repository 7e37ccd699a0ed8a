// A set of labeled EDF recordings, validated as a whole when opened.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lockstep/signals/edf_file.hpp"
#include "lockstep/signals/labels.hpp"
#include "lockstep/signals/resample.hpp"
#include "lockstep/signals/scaling.hpp"

namespace lockstep::signals {

/// How recordings are opened and prepared: which signals are read, at what
/// rate, how they are scaled and which epochs are kept. All of it is decided
/// once, at open, and is part of the fingerprint of a source over the dataset.
struct dataset_options {
  double epoch_seconds = 30;  ///< one label per epoch
  label_map labels = label_map::sleep_stages();
  /// The signals to read, by name (channel_names.hpp: "Fpz-Cz" picks "EEG
  /// Fpz-Cz"), in this order; a recording missing one is refused. Empty: each
  /// recording's fastest signals, in file order.
  std::vector<std::string> channels;
  /// The rate of the samples read, in Hz; each channel of another rate is
  /// resampled to it (resample.hpp). None: the channels' own, which must then
  /// be one rate across the dataset. An epoch must be a whole number of
  /// samples at it.
  std::optional<double> sample_rate;
  /// Per recording and channel, statistics over the samples of its labeled
  /// (and cropped) span at the channel's own rate.
  signals::scaling scaling = signals::scaling::none;
  double clip = 20;  ///< robust scaling: values beyond +-clip IQRs are clipped (0: never)
  /// Keep only the epochs from this many minutes before a recording's first
  /// sleep epoch (N1, N2, N3 or R) to as many after its last. None: all.
  std::optional<double> crop_wake_minutes;
};

/// How one channel of a recording is read.
struct channel_plan {
  std::uint16_t signal = 0;                   ///< EDF signal number
  std::shared_ptr<const resampler> resample;  ///< none: it runs at the dataset's rate
  channel_scale scale;                        ///< identity unless scaling is set
};

/// One recording: where windows are read from and the label of each epoch.
struct recording {
  std::string name;                   ///< the PSG's file name without "-PSG.edf" / ".edf"
  std::filesystem::path psg;
  std::filesystem::path hypnogram;    ///< empty: labels from the PSG's own annotations
  double weight = 1;                  ///< from the manifest; 1 for a scanned directory
  std::unique_ptr<edf_file> file;
  std::string samples_digest;           ///< file_digest of the PSG file
  std::vector<std::uint16_t> channels;  ///< the signal numbers read, in order
  std::vector<channel_plan> plans;      ///< one per channel, in the same order
  std::uint64_t label_start = 0;        ///< the sample (at the dataset's rate) where epoch 0 begins
  std::vector<std::uint8_t> labels;     ///< one code per epoch (after cropping)
  std::uint64_t cropped_epochs = 0;     ///< epochs crop_wake_minutes dropped before epoch 0
};

/// Recordings with sleep-stage labels, all opened and checked up front: a
/// missing, truncated or malformed file, labels that are not contiguous whole
/// epochs, a named channel a recording lacks, or (without sample_rate)
/// channels of different sample rates are a lockstep::error(invalid_dataset)
/// naming the file, before any batch.
///
/// Without `channels`, windows are read from each recording's fastest signals
/// (those with the most samples per data record); slower ones, such as
/// Sleep-EDF's 1 Hz EMG and temperature, are not read. Labels extending past
/// the end of the signals are cut at the last whole epoch inside them
/// (Sleep-EDF hypnograms end with a long "Sleep stage ?"). Labels start at
/// the sample nearest their onset, which may lie up to half a sample away
/// (EDF+ onsets are written in 100 µs steps, sub-second starts are finer).
class dataset {
 public:
  /// `where` is a directory, scanned for `*.edf` (see docs/signals.md for how
  /// `X-PSG.edf` finds its `X-Hypnogram.edf`), or a JSON manifest:
  ///
  ///     {"recordings": [{"psg": "a-PSG.edf", "hypnogram": "a-Hypnogram.edf",
  ///                      "weight": 2}, {"psg": "b.edf"}]}
  ///
  /// with paths relative to the manifest; without "hypnogram" the labels are
  /// the PSG's own EDF+ annotations. Recordings keep the manifest's order, or
  /// the order of their file names.
  static std::shared_ptr<const dataset> open(const std::filesystem::path& where,
                                             const dataset_options& options = {});

  const std::vector<recording>& recordings() const noexcept { return recordings_; }
  const dataset_options& options() const noexcept { return options_; }
  const std::filesystem::path& location() const noexcept { return location_; }

  /// Samples [start, start + n) at the dataset's rate of each of `signals`
  /// (channels of `r`), resampled and scaled as its plans say: signal k's go
  /// to out[k * n .. k * n + n). Thread-safe; throws lockstep::error naming
  /// the file when the range is outside the recording.
  void read(const recording& r, std::span<const std::uint16_t> signals, std::uint64_t start,
            std::uint64_t n, float* out) const;

  /// The rate of the samples read, in Hz.
  double sample_rate() const noexcept { return sample_rate_; }
  std::int64_t epoch_ticks() const noexcept { return epoch_ticks_; }
  std::uint64_t epoch_samples() const noexcept { return epoch_samples_; }

 private:
  dataset() = default;

  std::filesystem::path location_;
  dataset_options options_;
  std::vector<recording> recordings_;
  double sample_rate_ = 0;
  std::int64_t epoch_ticks_ = 0;
  std::uint64_t epoch_samples_ = 0;
};

}  // namespace lockstep::signals
