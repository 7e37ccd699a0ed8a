// Picking EDF signals by name across corpora that name them differently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/signals/edf_file.hpp"

namespace lockstep::signals {

/// A name reduced to what identifies the channel: lower case, spaces and
/// the separators "-", ":", "/", "_", "." folded to one "-", a leading signal
/// type ("eeg", "eog", "emg", "ecg") dropped, and the mastoid electrodes
/// "a1"/"a2" written as "m1"/"m2" (the same electrodes under the 10-20 and
/// AASM names). "EEG Fpz-Cz", "Fpz-Cz" and "FPZ:CZ" are all "fpz-cz";
/// "EEG C4-A1" and "C4-M1" are both "c4-m1".
std::string channel_key(std::string_view name);

/// The signal of `header` that `name` picks: the one whose label equals it
/// (ignoring case and surrounding spaces), or else the only one with the
/// same channel_key. std::nullopt when none does. Throws
/// lockstep::error(invalid_dataset) naming `file` and the candidates when
/// several labels share the key and none equals the name.
std::optional<std::uint16_t> find_channel(const edf_header& header, std::string_view name,
                                          const std::string& file);

}  // namespace lockstep::signals
