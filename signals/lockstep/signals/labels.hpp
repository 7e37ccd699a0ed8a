// Sleep-stage labels: annotation texts to integer codes, spans to epochs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/signals/edf_file.hpp"

namespace lockstep::signals {

/// The codes of the default mapping, as they appear in `y`.
enum class stage : std::uint8_t { W = 0, N1 = 1, N2 = 2, N3 = 3, R = 4, unknown = 5 };

/// "W", "N1", "N2", "N3", "R", "?" for the default codes; "" for others.
std::string_view stage_name(std::uint8_t code);

/// Which annotation texts are labels, and their codes. Texts not in the map
/// are not labels (events such as "Lights off" are skipped).
class label_map {
 public:
  label_map() = default;

  /// The R&K texts of PhysioNet's Sleep-EDF ("Sleep stage W", "Sleep stage
  /// 1" ... "Sleep stage 4", "Sleep stage R", "Sleep stage ?", "Movement
  /// time") and AASM texts ("Sleep stage N1" ... "N3"), each also without the
  /// "Sleep stage " prefix: W → W, 1 → N1, 2 → N2, 3 and 4 → N3, R → R,
  /// N1/N2/N3 → themselves, ? and Movement time → unknown.
  static label_map sleep_stages();

  void set(std::string text, std::uint8_t code) { codes_[std::move(text)] = code; }
  std::optional<std::uint8_t> find(std::string_view text) const;
  const std::map<std::string, std::uint8_t, std::less<>>& entries() const noexcept { return codes_; }

 private:
  std::map<std::string, std::uint8_t, std::less<>> codes_;
};

/// One code per epoch, starting `start` ticks after the start of the file
/// the annotations came from.
struct epoch_labels {
  std::int64_t start = 0;
  std::vector<std::uint8_t> codes;
};

/// OndaBatches' int_encode_labels over EDF+ annotations: the annotations
/// whose text `map` knows, ordered by onset, must each have a duration, follow
/// one another without gap or overlap, and last a whole number of epochs,
/// except the last, whose partial epoch is dropped. Epochs that do not end
/// by `end` (ticks from the file's start: where the signals end) are cut
/// before anything is expanded, so a label claiming years costs nothing.
/// Throws lockstep::error(invalid_dataset) naming `file` and the offending
/// span.
epoch_labels encode_labels(std::span<const edf_annotation> annotations, std::int64_t epoch_ticks,
                           const label_map& map, const std::string& file,
                           std::int64_t end = INT64_MAX);

}  // namespace lockstep::signals
