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

/// The dataset's n subjects, sorted, then shuffled by a Fisher-Yates shuffle
/// (for i = n - 1 down to 1, positions i and uniform_below(rng, i + 1) are
/// swapped, rng a xoshiro256ss seeded with `seed`: sources/xoshiro256.hpp),
/// and cut into consecutive parts at round(cumulative fraction x n), the
/// last part ending at the last subject. Part p is named names[p]. The same
/// dataset and seed give the same parts.
///
/// Throws lockstep::error(invalid_config) naming `fractions` unless there are
/// at least two, each > 0, summing to 1 (within 1e-9), or when a part would
/// get no subject (saying how many there are); naming `names` unless there
/// are as many, non-empty and distinct; lockstep::error(invalid_dataset)
/// naming a recording whose name has no Sleep-EDF subject.
std::vector<split_part> split_by_subject(const dataset& data, std::span<const double> fractions,
                                         std::uint64_t seed, const std::vector<std::string>& names);

/// Writes `part` as a manifest dataset::open reads, one recording per line:
///
///     {"recordings": [
///       {"psg": "../data/SC4001E0-PSG.edf", "hypnogram": "../data/SC4001EC-Hypnogram.edf"},
///       {"psg": "b.edf", "weight": 2}
///     ]}
///
/// its paths relative to `file`'s directory ("weight" only when not 1,
/// "hypnogram" only when the recording has one). Atomic: written to a
/// temporary file beside it, fsynced, then linked to its name, so a reader
/// sees the whole manifest or none, and an existing file is never replaced.
/// Throws lockstep::error(invalid_config) naming `file` when it exists,
/// lockstep::error(io_error) naming it when it cannot be written.
void write_manifest(const std::filesystem::path& file, const dataset& data, const split_part& part);

/// Writes each part as `dir`/NAME.json (write_manifest); returns the files.
/// Whole or nothing: if any of them exists, nothing is written (an
/// invalid_config error naming it); if one cannot be written, those already
/// written are removed. Throws lockstep::error(invalid_config) when `dir` is
/// not a directory or a name is not a file name.
std::vector<std::filesystem::path> write_manifests(const std::filesystem::path& dir,
                                                   const dataset& data,
                                                   const std::vector<split_part>& parts);

/// Throws lockstep::error(invalid_dataset) naming the shared subjects (the
/// first ten) and a recording of each side when `train` and `validation`
/// share a subject (sleep_edf_subject). A recording without a Sleep-EDF name
/// counts as a subject of its own, by its name, so the same recording on
/// both sides is an overlap too.
void check_disjoint_subjects(const dataset& train, const dataset& validation);

}  // namespace lockstep::signals
