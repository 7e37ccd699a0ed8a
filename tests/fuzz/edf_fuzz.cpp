// libFuzzer: any bytes as an EDF file must open (header, annotations, label
// spans, a window read) or fail with a lockstep::error, never crash or hang.
// edflib parses the header; lockstep checks the layout, reads samples and
// turns annotations into labels.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/signals/edf_file.hpp"
#include "lockstep/signals/labels.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto file = std::filesystem::temp_directory_path()
                           / ("lockstep-edf-fuzz-" + std::to_string(::getpid()) + ".edf");
  {
    std::ofstream out{file, std::ios::binary | std::ios::trunc};
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  using namespace lockstep::signals;
  try {
    edf_file f{file, true};
    auto& h = f.header();
    if (!h.signals.empty() && h.records > 0) {
      auto spr = h.signals[0].samples_per_record;
      std::vector<float> out(spr);
      std::uint16_t channel = 0;
      f.read(std::span<const std::uint16_t>{&channel, 1}, 0, spr, out.data());
    }
    if (h.record_ticks > 0)
      encode_labels(h.annotations, 30 * ticks_per_second, label_map::sleep_stages(), file.string());
  } catch (const lockstep::error&) {
  }
  return 0;
}
