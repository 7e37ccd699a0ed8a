// Small EDF files for tests, written through lockstep's edflib writer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "make_dataset.hpp"

namespace lockstep::test {

/// `seconds` of random 16-bit samples at `rate` Hz, deterministic from `seed`.
signals::signal_data random_signal(std::string label, std::uint32_t rate, std::uint32_t seconds,
                                   std::uint64_t seed);

/// Contiguous label spans from the file's start: {"Sleep stage W", 3} is three
/// 30 s epochs of W.
std::vector<signals::edf_annotation> stage_spans(
  const std::vector<std::pair<std::string, int>>& spans);

}  // namespace lockstep::test
