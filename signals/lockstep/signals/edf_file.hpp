// An EDF/EDF+ recording opened for concurrent reading of sample windows.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace lockstep::signals {

/// Times in EDF are counted in ticks of 100 ns, as edflib does.
inline constexpr std::int64_t ticks_per_second = 10'000'000;

/// "30 s", "12.5 s": a tick count for messages.
std::string format_seconds(std::int64_t ticks);

/// "32", "1.03333": a number for messages, to 6 significant digits.
std::string format_number(double x);

/// Held around every call into edflib that touches its process-wide file
/// table (opening and closing, for reading or writing). edflib keeps its open
/// files in an unsynchronized static array of 64 entries and refuses to open
/// a path that is already open; see docs/signals.md.
std::unique_lock<std::mutex> lock_edflib();

/// One ordinary (non-annotation) signal of an EDF file.
struct edf_signal {
  std::string label;
  std::string unit;
  std::uint32_t samples_per_record = 0;
  /// physical = gain * (offset + digital), computed in double exactly as
  /// edflib's edfread_physical_samples does, from edflib's parsed header.
  double gain = 1;
  double offset = 0;
  /// Where its samples start inside a data record.
  std::uint64_t byte_offset = 0;
};

struct edf_annotation {
  std::int64_t onset = 0;     ///< ticks from the start of the file
  std::int64_t duration = -1; ///< ticks; negative when the annotation has none
  std::string text;
};

struct edf_header {
  std::int64_t start = 0;         ///< start date and time, ticks since 1985-01-01
  std::int64_t record_ticks = 0;  ///< duration of one data record
  std::uint64_t records = 0;
  std::uint64_t header_bytes = 0;
  std::uint64_t record_bytes = 0;  ///< all signals, annotation signals included
  std::vector<edf_signal> signals; ///< numbered as edflib numbers them
  std::vector<edf_annotation> annotations;

  /// Sample rate of signal i in Hz.
  double sample_rate(std::size_t i) const {
    return static_cast<double>(signals[i].samples_per_record) * ticks_per_second
           / static_cast<double>(record_ticks);
  }
};

/// Reads the header (and, if asked, the EDF+ annotations) of `file` through
/// edflib, opening and closing it under lock_edflib(), and the record layout
/// from the header's own bytes (edflib hides where annotation signals sit).
/// Throws lockstep::error(invalid_dataset) naming the file: missing,
/// unreadable, malformed, truncated, discontinuous (EDF+D) or 24-bit (BDF).
edf_header read_edf_header(const std::filesystem::path& file, bool with_annotations);

/// A 16-bit EDF/EDF+ file held open for reading by many threads at once.
///
/// edflib cannot serve that (one file position and sample pointer per open
/// file, a path open only once per process, and fgetc() per byte), so windows
/// are read here: the file is memory-mapped once, and each window is
/// converted to float32 with its signals' gain and offset straight from the
/// page cache into the caller's memory, with no lock, system call or
/// allocation. The result equals edflib's edfread_physical_samples rounded to
/// float, sample for sample (tested). The file must not shrink while open: a
/// read first checks its size and fails if it did (replacing the file by
/// renaming another over it is safe).
class edf_file {
 public:
  /// Throws lockstep::error(invalid_dataset) as read_edf_header does, or when
  /// the file cannot be opened or mapped (one descriptor stays open per file).
  explicit edf_file(const std::filesystem::path& file, bool with_annotations = false);
  ~edf_file();
  edf_file(const edf_file&) = delete;
  edf_file& operator=(const edf_file&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  const edf_header& header() const noexcept { return header_; }

  /// Samples [start, start + n) of each of `signals` (all of one
  /// samples_per_record), as physical values: signal k's go to
  /// out[k * n .. k * n + n). Thread-safe. Throws lockstep::error naming the
  /// file when the range is outside the recording or the file has shrunk.
  void read(std::span<const std::uint16_t> signals, std::uint64_t start, std::uint64_t n,
            float* out) const;

 private:
  std::filesystem::path path_;
  edf_header header_;
  int fd_ = -1;
  const std::int16_t* map_ = nullptr;
  std::size_t map_bytes_ = 0;
};

}  // namespace lockstep::signals
