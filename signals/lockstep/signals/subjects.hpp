// Splitting a dataset by subject, so that no subject's nights or overlapping
// windows end up on both sides of a train/validation split.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/signals/dataset.hpp"

namespace lockstep::signals {

/// Sleep-EDF's subject of a recording: the 3rd to 5th characters of its name
/// ("SC4001E0" and "SC4002E0", two nights of one subject, are both "400";
/// "ST7011J0" is "701"). std::nullopt unless the name has at least 6
/// characters, starts with "SC" or "ST" and has digits there.
std::optional<std::string> sleep_edf_subject(std::string_view recording_name);

/// One part of a split: its name, subjects (sorted) and recordings (indices
/// into dataset::recordings(), in order).
struct split_part {
  std::string name;
  std::vector<std::string> subjects;
  std::vector<std::size_t> recordings;
};

/// The dataset's subjects, sorted, then shuffled by a Fisher-Yates shuffle
/// whose step i (from the last position down) swaps position i with
/// uniform_below(i + 1) of a xoshiro256** seeded with `seed`, cut into
/// consecutive parts at round(cumulative fraction x subjects).
///
/// Throws lockstep::error(invalid_config) naming `fractions` unless there are
/// at least two, each > 0, summing to 1 (within 1e-9), as many as `names`;
/// when a part would get no subject; lockstep::error(invalid_dataset) naming
/// a recording whose name has no Sleep-EDF subject.
std::vector<split_part> split_by_subject(const dataset& data, std::span<const double> fractions,
                                         std::uint64_t seed, const std::vector<std::string>& names);

/// Writes `part` as a manifest dataset::open reads, its paths relative to
/// `file`'s directory ("weight" only when not 1, "hypnogram" only when the
/// recording has one), through a temporary file renamed into place. Throws
/// lockstep::error(invalid_config) naming `file` when it exists,
/// lockstep::error(io_error) when it cannot be written.
void write_manifest(const std::filesystem::path& file, const dataset& data,
                    const split_part& part);

/// Throws lockstep::error(invalid_dataset) naming the shared subjects and a
/// recording of each side when `train` and `validation` share a subject
/// (recordings without a Sleep-EDF name count as their own subject, so the
/// same recording on both sides is an overlap too).
void check_disjoint_subjects(const dataset& train, const dataset& validation);

}  // namespace lockstep::signals
