#include "lockstep/signals/edf_file.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <edflib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {

static_assert(std::endian::native == std::endian::little, "EDF samples are read in place");

namespace {

[[noreturn]] void bad(const std::filesystem::path& file, const std::string& why) {
  throw error(errc::invalid_dataset, file.string() + ": " + why);
}

std::string edflib_error(int code) {
  switch (code) {
    case EDFLIB_MALLOC_ERROR:
      return "edflib ran out of memory";
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY:
      return "cannot be opened (missing, or no permission)";
    case EDFLIB_FILE_CONTAINS_FORMAT_ERRORS:
      return "is not a valid EDF/EDF+ file (edflib found format errors in its header, "
             "its annotations or its size: truncated?)";
    case EDFLIB_MAXFILES_REACHED:
      return "cannot be opened: edflib's table of open files is full";
    case EDFLIB_FILE_READ_ERROR:
      return "cannot be read";
    case EDFLIB_FILE_ALREADY_OPENED:
      return "is already open in edflib elsewhere in this process (edflib opens a path "
             "only once at a time)";
    case EDFLIB_FILETYPE_ERROR:
      return "is not an EDF, EDF+, BDF or BDF+ file";
    case EDFLIB_FILE_IS_DISCONTINUOUS:
      return "is EDF+D (discontinuous); only continuous recordings are supported";
    default:
      return "cannot be opened by edflib (error " + std::to_string(code) + ")";
  }
}

// edflib's handles, closed on every path out.
struct edflib_handle {
  int handle = -1;
  ~edflib_handle() {
    if (handle >= 0) {
      auto lock = lock_edflib();
      edfclose_file(handle);
    }
  }
};

// Days from 1985-01-01 (EDF's clipping date) to y-m-d, proleptic Gregorian.
std::int64_t days_since_1985(int y, int m, int d) {
  auto days_from_civil = [](std::int64_t y, std::int64_t m, std::int64_t d) {
    y -= m <= 2;
    auto era = (y >= 0 ? y : y - 399) / 400;
    auto yoe = y - era * 400;
    auto doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    auto doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  };
  return days_from_civil(y, m, d) - days_from_civil(1985, 1, 1);
}

std::uint64_t header_number(const std::filesystem::path& file, const std::string& bytes,
                            std::size_t at, std::size_t width, const char* field) {
  auto text = bytes.substr(at, width);
  auto first = text.find_first_not_of(' ');
  auto last = text.find_last_not_of(' ');
  std::uint64_t x = 0;
  if (first != std::string::npos) {
    auto b = text.data() + first;
    auto e = text.data() + last + 1;
    auto [end, ec] = std::from_chars(b, e, x);
    if (ec == std::errc{} && end == e)
      return x;
  }
  bad(file, std::string{"its header's "} + field + " is \"" + text + "\", not a number");
}

// The layout edflib does not expose: the header's size and where each
// signal, annotation signals included, sits in a data record.
struct raw_layout {
  std::uint64_t header_bytes = 0;
  std::uint64_t record_bytes = 0;
  std::vector<std::uint64_t> spr;
  std::vector<std::uint64_t> offset;
  std::vector<bool> annotation;
};

std::string cannot_open(int err) {
  auto why = std::string{"cannot be opened: "} + std::strerror(err);
  if (err == EMFILE || err == ENFILE)
    why += " (each recording keeps one file open; raise the limit with ulimit -n)";
  return why;
}

raw_layout read_layout(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    bad(file, cannot_open(errno));
  std::string fixed(256, '\0');
  if (!in.read(fixed.data(), 256))
    bad(file, "is shorter than an EDF header");
  auto ns = header_number(file, fixed, 252, 4, "number of signals");
  raw_layout l;
  l.header_bytes = header_number(file, fixed, 184, 8, "header size");
  if (l.header_bytes != 256 * (ns + 1))
    bad(file, "its header size does not match its number of signals");
  std::string sig(256 * ns, '\0');
  if (!in.read(sig.data(), static_cast<std::streamsize>(sig.size())))
    bad(file, "is shorter than its header says");
  for (std::size_t i = 0; i < ns; ++i) {
    auto label = sig.substr(i * 16, 16);
    l.annotation.push_back(label.starts_with("EDF Annotations"));
    l.offset.push_back(l.record_bytes);
    l.spr.push_back(header_number(file, sig, ns * 216 + i * 8, 8, "samples per record"));
    l.record_bytes += 2 * l.spr.back();
  }
  return l;
}

// The conversion edflib performs, rounded to float: the hot path. The
// restrict pointers and blocks of eight let g++ vectorize it at -O2 too (its
// -O2 cost model skips loops that need alias checks or a scalar epilogue),
// which makes it several times faster.
void to_physical(const std::int16_t* __restrict src, std::size_t n, double gain, double offset,
                 float* __restrict out) {
  auto convert = [gain, offset](std::int16_t d) {
    return static_cast<float>(gain * (offset + static_cast<double>(d)));
  };
  const std::size_t blocks = n / 8;
  for (std::size_t b = 0; b < blocks; ++b)
    for (std::size_t j = 0; j < 8; ++j)
      out[8 * b + j] = convert(src[8 * b + j]);
  for (std::size_t i = 8 * blocks; i < n; ++i)
    out[i] = convert(src[i]);
}

}  // namespace

std::string format_seconds(std::int64_t ticks) {
  auto whole = ticks / ticks_per_second;
  auto frac = ticks % ticks_per_second;
  auto out = std::to_string(whole);
  if (frac != 0) {
    auto digits = std::to_string(frac < 0 ? -frac : frac);
    digits.insert(0, 7 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out + " s";
}

std::string format_number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

std::unique_lock<std::mutex> lock_edflib() {
  static std::mutex m;
  return std::unique_lock<std::mutex>{m};
}

edf_header read_edf_header(const std::filesystem::path& file, bool with_annotations) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    bad(file, std::filesystem::exists(file, ec) ? "is not a regular file" : "does not exist");
  // Open it ourselves first: edflib and the layout reader below would
  // report a failed open (say, out of descriptors) as a malformed file.
  if (int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd < 0)
    bad(file, cannot_open(errno));
  else
    ::close(fd);
  // edf_hdr_struct holds 640 signal entries: about 200 KB, too much for a
  // worker thread's stack.
  auto hdr = std::make_unique<edf_hdr_struct>();
  edflib_handle h;
  {
    auto lock = lock_edflib();
    if (edfopen_file_readonly(file.c_str(), hdr.get(),
                              with_annotations ? EDFLIB_READ_ALL_ANNOTATIONS
                                               : EDFLIB_DO_NOT_READ_ANNOTATIONS)
        != 0)
      bad(file, edflib_error(hdr->filetype));
    h.handle = hdr->handle;
  }
  if (hdr->filetype == EDFLIB_FILETYPE_BDF || hdr->filetype == EDFLIB_FILETYPE_BDFPLUS)
    bad(file, "is a 24-bit BDF file; only 16-bit EDF and EDF+ are supported");

  edf_header out;
  out.start = (days_since_1985(hdr->startdate_year, hdr->startdate_month, hdr->startdate_day)
                 * 86400
               + hdr->starttime_hour * 3600 + hdr->starttime_minute * 60 + hdr->starttime_second)
                * ticks_per_second
              + hdr->starttime_subsecond;
  out.record_ticks = hdr->datarecord_duration;
  out.records = static_cast<std::uint64_t>(hdr->datarecords_in_file);
  if (out.record_ticks <= 0)
    bad(file, "has data records of zero duration");

  auto layout = read_layout(file);
  out.header_bytes = layout.header_bytes;
  out.record_bytes = layout.record_bytes;
  // Only EDF+ has annotation signals; in a plain EDF file a signal labelled
  // "EDF Annotations" is data, as edflib reads it.
  const bool plus = hdr->filetype == EDFLIB_FILETYPE_EDFPLUS;
  auto mismatch = [&] {
    bad(file, "its header lists " + std::to_string(layout.spr.size()) + " signals, of which "
                + std::to_string(out.signals.size()) + " were read as data so far, but edflib "
                + "reads " + std::to_string(hdr->edfsignals)
                + " data signals: the signal fields of the header disagree with each other");
  };
  for (std::size_t i = 0; i < layout.spr.size(); ++i) {
    if (plus && layout.annotation[i])
      continue;
    auto k = out.signals.size();
    if (k >= static_cast<std::size_t>(hdr->edfsignals))
      mismatch();
    auto& p = hdr->signalparam[k];
    if (static_cast<std::uint64_t>(p.smp_in_datarecord) != layout.spr[i])
      bad(file, "its header disagrees with edflib about signal " + std::to_string(k));
    edf_signal s;
    s.label = p.label;
    s.label.erase(s.label.find_last_not_of(' ') + 1);
    s.unit = p.physdimension;
    s.unit.erase(s.unit.find_last_not_of(' ') + 1);
    s.samples_per_record = static_cast<std::uint32_t>(p.smp_in_datarecord);
    s.gain = (p.phys_max - p.phys_min) / (p.dig_max - p.dig_min);
    s.offset = p.phys_max / s.gain - p.dig_max;
    s.byte_offset = layout.offset[i];
    out.signals.push_back(std::move(s));
  }
  if (out.signals.size() != static_cast<std::size_t>(hdr->edfsignals))
    mismatch();

  auto size = std::filesystem::file_size(file, ec);
  auto expected = out.header_bytes + out.records * out.record_bytes;
  if (ec || size < expected)
    bad(file, "is truncated: " + std::to_string(size) + " bytes, its header says "
                + std::to_string(expected));

  for (long long i = 0; with_annotations && i < hdr->annotations_in_file; ++i) {
    edf_annotation_struct a{};
    if (edf_get_annotation(h.handle, static_cast<int>(i), &a) != 0)
      bad(file, "annotation " + std::to_string(i) + " cannot be read");
    out.annotations.push_back({a.onset, a.duration_l, a.annotation});
  }
  return out;
}

edf_file::edf_file(const std::filesystem::path& file, bool with_annotations)
    : path_(file), header_(read_edf_header(file, with_annotations)) {
  fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    bad(file, cannot_open(errno));
  map_bytes_ = header_.header_bytes + header_.records * header_.record_bytes;
  auto m = ::mmap(nullptr, map_bytes_, PROT_READ, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) {
    auto why = std::string{"cannot be mapped into memory: "} + std::strerror(errno);
    ::close(fd_);
    bad(file, why);
  }
  map_ = static_cast<const std::int16_t*>(m);
}

edf_file::~edf_file() {
  ::munmap(const_cast<std::int16_t*>(map_), map_bytes_);
  ::close(fd_);
}

void edf_file::read(std::span<const std::uint16_t> signals, std::uint64_t start,
                    std::uint64_t n, float* out) const {
  if (signals.empty() || n == 0)
    return;
  for (auto s : signals)
    if (s >= header_.signals.size())
      throw error(errc::invalid_config, path_.string() + ": has no signal " + std::to_string(s));
  const std::uint64_t spr = header_.signals[signals[0]].samples_per_record;
  for (auto s : signals)
    if (header_.signals[s].samples_per_record != spr)
      throw error(errc::invalid_config,
                  path_.string() + ": signals of different sample rates cannot be read together");
  if (start + n > header_.records * spr || start + n < start)
    throw error(errc::invalid_config,
                path_.string() + ": samples " + std::to_string(start) + " to "
                  + std::to_string(start + n) + " are outside the recording ("
                  + std::to_string(header_.records * spr) + " samples)");

  // Reading past a mapped file's end raises SIGBUS, so a recording that
  // shrank since it was opened fails this batch instead.
  struct stat now;
  if (::fstat(fd_, &now) != 0 || static_cast<std::uint64_t>(now.st_size) < map_bytes_)
    throw error(errc::invalid_dataset, path_.string() + ": is shorter than when it was opened "
                                                         "(truncated while in use?)");
  for (auto rec = start / spr; rec <= (start + n - 1) / spr; ++rec) {
    auto rec_start = rec * spr;
    auto from = std::max(start, rec_start) - rec_start;
    auto to = std::min(start + n, rec_start + spr) - rec_start;
    // Records and signals start at even offsets: the file is int16 samples
    // (little-endian, like the host) between them.
    auto record = map_ + (header_.header_bytes + rec * header_.record_bytes) / 2;
    for (std::size_t c = 0; c < signals.size(); ++c) {
      auto& sig = header_.signals[signals[c]];
      to_physical(record + sig.byte_offset / 2 + from, to - from, sig.gain, sig.offset,
                  out + c * n + (rec_start + from - start));
    }
  }
}

}  // namespace lockstep::signals
