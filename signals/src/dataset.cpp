#include "lockstep/signals/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/json/parse.hpp>

#include "lockstep/messages/errors.hpp"
#include "lockstep/detail/json_fields.hpp"
#include "lockstep/runtime/file_digest.hpp"

namespace lockstep::signals {

namespace {

namespace fs = std::filesystem;
namespace jf = detail::json_fields;

[[noreturn]] void bad(const fs::path& file, const std::string& why) {
  throw error(errc::invalid_dataset, file.string() + ": " + why);
}

struct entry {
  fs::path psg;
  fs::path hypnogram;
  double weight = 1;
};

bool ends_with_nocase(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size())
    return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a))
                             == std::tolower(static_cast<unsigned char>(b));
                    });
}

std::string drop(const std::string& s, std::size_t n) {
  return s.substr(0, s.size() - n);
}

constexpr std::string_view psg_suffix = "-PSG.edf";
constexpr std::string_view hypnogram_suffix = "-Hypnogram.edf";

// "SC4001E0-PSG.edf" → "SC4001E0"; "night.edf" → "night".
std::string recording_name(const fs::path& psg) {
  auto name = psg.filename().string();
  return ends_with_nocase(name, psg_suffix) ? drop(name, psg_suffix.size()) : drop(name, 4);
}

// Sleep-EDF pairs SC4001E0-PSG.edf with SC4001EC-Hypnogram.edf: the names
// agree but for the last character. An exact match wins over that.
std::vector<entry> scan(const fs::path& dir) {
  std::vector<std::string> psgs, hypnograms;
  std::error_code ec;
  for (auto it = fs::directory_iterator{dir, ec}; !ec && it != fs::directory_iterator{};
       it.increment(ec)) {
    auto name = it->path().filename().string();
    if (!ends_with_nocase(name, ".edf"))
      continue;
    // An .edf that is not a readable file would silently shrink the dataset.
    std::error_code kind;
    if (it->is_symlink(kind) && !fs::exists(it->path(), kind))
      bad(it->path(), "is a symbolic link to " + fs::read_symlink(it->path(), kind).string()
                        + ", which does not exist");
    if (!fs::is_regular_file(it->path(), kind))
      bad(it->path(), "is not a regular file");
    (ends_with_nocase(name, hypnogram_suffix) ? hypnograms : psgs).push_back(name);
  }
  if (ec)
    bad(dir, "cannot be listed: " + ec.message());
  if (psgs.empty())
    bad(dir, "holds no EDF recordings (*.edf)");
  std::sort(psgs.begin(), psgs.end());
  std::sort(hypnograms.begin(), hypnograms.end());

  std::map<std::string, std::string> claimed;  // hypnogram → recording
  std::vector<entry> out;
  for (auto& psg : psgs) {
    auto stem = recording_name(psg);
    std::vector<std::string> exact, near;
    for (auto& h : hypnograms) {
      auto hstem = drop(h, hypnogram_suffix.size());
      if (hstem == stem)
        exact.push_back(h);
      else if (!stem.empty() && hstem.size() == stem.size() && drop(hstem, 1) == drop(stem, 1))
        near.push_back(h);
    }
    auto& found = exact.empty() ? near : exact;
    if (found.size() > 1)
      bad(dir / psg, "has several hypnograms: " + found[0] + " and " + found[1]);
    entry e{dir / psg, {}, 1};
    if (!found.empty()) {
      auto [at, fresh] = claimed.emplace(found[0], psg);
      if (!fresh)
        bad(dir / found[0], "is the hypnogram of both " + at->second + " and " + psg);
      e.hypnogram = dir / found[0];
    }
    out.push_back(std::move(e));
  }
  for (auto& h : hypnograms)
    if (!claimed.contains(h))
      bad(dir / h, "belongs to no recording (expected its PSG file, e.g. "
                     + drop(h, hypnogram_suffix.size()) + std::string{psg_suffix} + ")");
  return out;
}

std::vector<entry> read_manifest(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    bad(file, "cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  auto v = boost::json::parse(text.str(), ec);
  if (ec)
    bad(file, "not valid JSON (" + ec.message() + ")");
  auto base = file.parent_path();
  std::vector<entry> out;
  try {
    constexpr auto code = errc::invalid_dataset;
    auto& top = jf::object(v, "manifest", code);
    jf::only_keys(top, {"recordings"}, "manifest", code);
    auto& list = jf::field(top, "recordings", "manifest", code);
    if (!list.is_array() || list.get_array().empty())
      throw error(code, "recordings must be a non-empty array");
    for (std::size_t i = 0; i < list.get_array().size(); ++i) {
      auto where = "recordings[" + std::to_string(i) + "]";
      auto& r = jf::object(list.get_array()[i], where, code);
      jf::only_keys(r, {"psg", "hypnogram", "weight"}, where, code);
      entry e;
      auto path = [&](const boost::json::value& v, const std::string& what) {
        auto text = jf::string(v, what, code);
        if (text.empty())
          throw error(code, what + " is empty");
        if (text.find('\0') != std::string::npos)
          throw error(code, what + " holds a NUL character");
        return base / text;
      };
      e.psg = path(jf::field(r, "psg", where, code), where + ".psg");
      if (r.contains("hypnogram"))
        e.hypnogram = path(r.at("hypnogram"), where + ".hypnogram");
      if (r.contains("weight")) {
        e.weight = jf::number(r.at("weight"), where + ".weight", code);
        if (e.weight < 0)
          throw error(code, where + ".weight must be >= 0");
      }
      out.push_back(std::move(e));
    }
  } catch (const error& e) {
    bad(file, e.what());
  }
  return out;
}

}  // namespace

std::shared_ptr<const dataset> dataset::open(const fs::path& where,
                                             const dataset_options& options) {
  if (!(std::isfinite(options.epoch_seconds) && options.epoch_seconds > 0))
    throw error(errc::invalid_config, "epoch_seconds must be a number > 0");
  std::error_code ec;
  if (!fs::exists(where, ec))
    bad(where, "does not exist");
  auto entries = fs::is_directory(where, ec) ? scan(where) : read_manifest(where);

  std::shared_ptr<dataset> d{new dataset};
  d->location_ = where;
  d->options_ = options;
  d->epoch_ticks_ = std::llround(options.epoch_seconds * ticks_per_second);
  const recording* first = nullptr;
  for (auto& e : entries) {
    recording r;
    r.name = recording_name(e.psg);
    r.psg = e.psg;
    r.hypnogram = e.hypnogram;
    r.weight = e.weight;
    r.file = std::make_unique<edf_file>(e.psg, e.hypnogram.empty());
    r.samples_digest = file_digest(e.psg);
    auto& h = r.file->header();
    if (h.signals.empty())
      bad(e.psg, "has no signals");

    std::uint32_t spr = 0;
    for (auto& s : h.signals)
      spr = std::max(spr, s.samples_per_record);
    for (std::size_t i = 0; i < h.signals.size(); ++i)
      if (h.signals[i].samples_per_record == spr)
        r.channels.push_back(static_cast<std::uint16_t>(i));
    auto rate = h.sample_rate(r.channels[0]);
    if (first) {
      auto& f = first->file->header();
      auto fspr = f.signals[first->channels[0]].samples_per_record;
      // Equal rates: spr / record_ticks == fspr / f.record_ticks, exactly.
      if (static_cast<__int128>(spr) * f.record_ticks
          != static_cast<__int128>(fspr) * h.record_ticks)
        bad(e.psg, "its fastest signals run at " + format_number(rate) + " Hz, those of "
                     + first->psg.filename().string() + " at " + format_number(d->sample_rate_)
                     + " Hz; a dataset has one sample rate");
    } else {
      d->sample_rate_ = rate;
      if ((static_cast<__int128>(d->epoch_ticks_) * spr) % h.record_ticks != 0)
        bad(e.psg, "a " + format_seconds(d->epoch_ticks_) + " epoch is not a whole number of "
                     + format_number(rate) + " Hz samples");
      d->epoch_samples_ = static_cast<std::uint64_t>(
        static_cast<__int128>(d->epoch_ticks_) * spr / h.record_ticks);
    }

    epoch_labels labels;
    std::int64_t shift = 0;  // from the label file's start to the PSG's
    // Where the signals end, so labels past it are never expanded.
    const auto signals_end = static_cast<std::int64_t>(h.records) * h.record_ticks;
    if (e.hypnogram.empty()) {
      try {
        labels = encode_labels(h.annotations, d->epoch_ticks_, options.labels, e.psg.string(),
                               signals_end);
      } catch (const error& problem) {
        // A Sleep-EDF PSG holds no stages: its hypnogram is what is missing.
        auto file = e.psg.filename().string();
        if (!ends_with_nocase(file, psg_suffix) || h.annotations.size() > 0)
          throw;
        bad(e.psg, "has no hypnogram: no " + drop(file, psg_suffix.size())
                     + std::string{hypnogram_suffix}
                     + " (or a name that differs in the character before \"-Hypnogram\") "
                       "is beside it, and the file holds no sleep-stage annotations itself");
      }
    } else {
      auto hyp = read_edf_header(e.hypnogram, true);
      shift = hyp.start - h.start;
      labels = encode_labels(hyp.annotations, d->epoch_ticks_, options.labels,
                             e.hypnogram.string(), signals_end - shift);
    }
    auto label_file = e.hypnogram.empty() ? e.psg : e.hypnogram;
    auto start = labels.start + shift;
    if (start < 0)
      bad(label_file, "its labels start " + format_seconds(-start) + " before the recording");
    if ((static_cast<__int128>(start) * spr) % h.record_ticks != 0)
      bad(label_file, "its labels start at " + format_seconds(start)
                        + ", between two samples of the " + format_number(rate) + " Hz signals");
    r.label_start = static_cast<std::uint64_t>(static_cast<__int128>(start) * spr / h.record_ticks);
    auto samples = h.records * spr;
    auto fit = r.label_start < samples ? (samples - r.label_start) / d->epoch_samples_ : 0;
    if (fit == 0)
      bad(label_file, "its labels start at " + format_seconds(start)
                        + ", less than one epoch before the signals end");
    if (labels.codes.size() > fit)
      labels.codes.resize(fit);
    r.labels = std::move(labels.codes);
    d->recordings_.push_back(std::move(r));
    first = &d->recordings_.front();
  }
  return d;
}

}  // namespace lockstep::signals
