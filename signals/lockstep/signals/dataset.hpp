// A set of labeled EDF recordings, validated as a whole when opened.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lockstep/signals/edf_file.hpp"
#include "lockstep/signals/labels.hpp"

namespace lockstep::signals {

struct dataset_options {
  double epoch_seconds = 30;  ///< one label per epoch
  label_map labels = label_map::sleep_stages();
};

/// One recording: where windows are read from and the label of each epoch.
struct recording {
  std::string name;                   ///< the PSG's file name without "-PSG.edf" / ".edf"
  std::filesystem::path psg;
  std::filesystem::path hypnogram;    ///< empty: labels from the PSG's own annotations
  double weight = 1;                  ///< from the manifest; 1 for a scanned directory
  std::unique_ptr<edf_file> file;
  std::string samples_digest;           ///< file_digest of the PSG file
  std::vector<std::uint16_t> channels;  ///< signal numbers at the dataset's sample rate
  std::uint64_t label_start = 0;        ///< the sample where epoch 0 begins
  std::vector<std::uint8_t> labels;     ///< one code per epoch
};

/// Recordings with sleep-stage labels, all opened and checked up front: a
/// missing, truncated or malformed file, labels that are not contiguous whole
/// epochs, or recordings of different sample rates are a
/// lockstep::error(invalid_dataset) naming the file, before any batch.
///
/// Windows are read from each recording's fastest signals (those with the
/// most samples per data record); slower ones, such as Sleep-EDF's 1 Hz
/// EMG and temperature, are not read. Every recording's fastest signals must
/// run at the same rate. Labels extending past the end of the signals are cut
/// at the last whole epoch inside them (Sleep-EDF hypnograms end with a long
/// "Sleep stage ?").
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
