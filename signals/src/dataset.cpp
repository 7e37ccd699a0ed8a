#include "lockstep/signals/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <utility>
#include <sstream>

#include <boost/json/parse.hpp>

#include "lockstep/messages/errors.hpp"
#include "lockstep/detail/json_fields.hpp"
#include "lockstep/runtime/file_digest.hpp"
#include "lockstep/signals/channel_names.hpp"

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

namespace {

__int128 gcd(__int128 a, __int128 b) {
  while (b != 0)
    a = std::exchange(b, a % b);
  return a;
}

// floor(a / b) for b > 0, whatever a's sign.
__int128 floor_div(__int128 a, __int128 b) {
  auto q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// The signals a recording is read from: the named ones, or its fastest.
std::vector<std::uint16_t> pick_channels(const edf_header& h, const fs::path& psg,
                                         const dataset_options& options) {
  std::vector<std::uint16_t> out;
  if (options.channels.empty()) {
    std::uint32_t spr = 0;
    for (auto& s : h.signals)
      spr = std::max(spr, s.samples_per_record);
    for (std::size_t i = 0; i < h.signals.size(); ++i)
      if (h.signals[i].samples_per_record == spr)
        out.push_back(static_cast<std::uint16_t>(i));
    return out;
  }
  for (auto& name : options.channels) {
    auto found = find_channel(h, name, psg.string());
    if (!found) {
      std::string labels;
      for (auto& s : h.signals)
        labels += (labels.empty() ? "\"" : ", \"") + s.label + "\"";
      bad(psg, "has no channel \"" + name + "\" (its signals: " + labels + ")");
    }
    if (std::find(out.begin(), out.end(), *found) != out.end())
      bad(psg, "channel \"" + name + "\" is named twice (it is \""
                 + h.signals[*found].label + "\")");
    out.push_back(*found);
  }
  return out;
}

// The epochs from `margin` before the first sleep epoch to `margin` after
// the last: [first, last).
std::pair<std::size_t, std::size_t> wake_crop(const std::vector<std::uint8_t>& labels,
                                              std::uint64_t margin, const fs::path& file) {
  auto sleep = [](std::uint8_t c) {
    return c >= static_cast<std::uint8_t>(stage::N1) && c <= static_cast<std::uint8_t>(stage::R);
  };
  auto first = std::find_if(labels.begin(), labels.end(), sleep);
  if (first == labels.end())
    bad(file, "has no sleep epoch (N1, N2, N3 or R) to crop the wake around");
  auto last = std::find_if(labels.rbegin(), labels.rend(), sleep);
  auto f = static_cast<std::uint64_t>(first - labels.begin());
  auto l = static_cast<std::uint64_t>(labels.rend() - last);  // one past the last sleep epoch
  return {static_cast<std::size_t>(f > margin ? f - margin : 0),
          static_cast<std::size_t>(std::min<std::uint64_t>(labels.size(), l + margin))};
}

}  // namespace

std::shared_ptr<const dataset> dataset::open(const fs::path& where,
                                             const dataset_options& options) {
  if (!(std::isfinite(options.epoch_seconds) && options.epoch_seconds > 0))
    throw error(errc::invalid_config, "epoch_seconds must be a number > 0");
  if (options.sample_rate
      && !(std::isfinite(*options.sample_rate) && *options.sample_rate > 0
           && *options.sample_rate <= 1e6))
    throw error(errc::invalid_config, "sample_rate must be a number of Hz in (0, 1e6]");
  if (!(std::isfinite(options.clip) && options.clip >= 0))
    throw error(errc::invalid_config, "clip must be a number >= 0");
  if (options.crop_wake_minutes
      && !(std::isfinite(*options.crop_wake_minutes) && *options.crop_wake_minutes >= 0
           && *options.crop_wake_minutes <= 1e6))
    throw error(errc::invalid_config, "crop_wake_minutes must be a number of minutes in [0, 1e6]");
  for (auto& name : options.channels)
    if (channel_key(name).empty())
      throw error(errc::invalid_config, "channels: \"" + name + "\" is not a channel name");
  std::error_code ec;
  if (!fs::exists(where, ec))
    bad(where, "does not exist");
  auto entries = fs::is_directory(where, ec) ? scan(where) : read_manifest(where);

  std::shared_ptr<dataset> d{new dataset};
  d->location_ = where;
  d->options_ = options;
  d->epoch_ticks_ = std::llround(options.epoch_seconds * ticks_per_second);
  if (options.sample_rate) {
    // Output samples per epoch: a whole number, or windows would drift.
    const double exact = options.epoch_seconds * *options.sample_rate;
    const auto whole = std::llround(exact);
    if (whole < 1 || std::abs(exact - static_cast<double>(whole)) > 1e-6 * exact)
      throw error(errc::invalid_config,
                  "sample_rate " + format_number(*options.sample_rate) + " Hz makes a "
                    + format_seconds(d->epoch_ticks_) + " epoch " + format_number(exact)
                    + " samples; it must be a whole number");
    d->sample_rate_ = *options.sample_rate;
    d->epoch_samples_ = static_cast<std::uint64_t>(whole);
  }
  // Filters are shared by every channel of one ratio.
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::shared_ptr<const resampler>> filters;
  std::string first_rate_from;  // "CHANNEL of FILE", for messages
  std::vector<float> whole;     // a channel's labeled span, for its statistics
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
    r.channels = pick_channels(h, e.psg, options);

    // Without sample_rate, the dataset runs at its first channel's rate and
    // every other channel must match it exactly (samples per record over
    // record duration, compared as integers).
    for (auto c : r.channels) {
      auto spr = h.signals[c].samples_per_record;
      auto where_from = "\"" + h.signals[c].label + "\" of " + e.psg.filename().string();
      if (d->epoch_samples_ == 0) {
        if ((static_cast<__int128>(d->epoch_ticks_) * spr) % h.record_ticks != 0)
          bad(e.psg, "a " + format_seconds(d->epoch_ticks_) + " epoch is not a whole number of "
                       + format_number(h.sample_rate(c)) + " Hz samples");
        d->sample_rate_ = h.sample_rate(c);
        d->epoch_samples_ = static_cast<std::uint64_t>(
          static_cast<__int128>(d->epoch_ticks_) * spr / h.record_ticks);
        first_rate_from = where_from;
      }
      // Input samples per epoch over output samples per epoch.
      auto in = static_cast<__int128>(d->epoch_ticks_) * spr;
      auto out = static_cast<__int128>(h.record_ticks) * d->epoch_samples_;
      channel_plan plan;
      plan.signal = c;
      if (in != out) {
        if (!options.sample_rate)
          bad(e.psg, (options.channels.empty() ? "its fastest signals run at "
                                               : "channel " + where_from + " runs at ")
                       + format_number(h.sample_rate(c)) + " Hz, " + first_rate_from + " at "
                       + format_number(d->sample_rate_)
                       + " Hz; set sample_rate to read them at one rate");
        auto g = gcd(in, out);
        std::pair key{static_cast<std::uint64_t>(in / g), static_cast<std::uint64_t>(out / g)};
        auto& f = filters[key];
        if (!f)
          f = std::make_shared<const resampler>(key.first, key.second);
        plan.resample = f;
      }
      r.plans.push_back(std::move(plan));
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
    // The nearest sample, as MNE aligns onsets: round(start * rate).
    const __int128 es = d->epoch_samples_;
    auto at = floor_div(2 * static_cast<__int128>(start) * es + d->epoch_ticks_,
                        2 * static_cast<__int128>(d->epoch_ticks_));
    if (at < 0)
      bad(label_file, "its labels start " + format_seconds(-start)
                        + " before the recording, more than half a sample");
    r.label_start = static_cast<std::uint64_t>(at);
    auto samples = static_cast<std::uint64_t>(static_cast<__int128>(signals_end) * es
                                              / d->epoch_ticks_);
    auto fit = r.label_start < samples ? (samples - r.label_start) / d->epoch_samples_ : 0;
    if (fit == 0)
      bad(label_file, "its labels start at " + format_seconds(start)
                        + ", less than one epoch before the signals end");
    if (labels.codes.size() > fit)
      labels.codes.resize(fit);
    if (options.crop_wake_minutes) {
      auto margin = static_cast<std::uint64_t>(
        std::floor(*options.crop_wake_minutes * 60 * ticks_per_second
                   / static_cast<double>(d->epoch_ticks_)));
      auto [from, to] = wake_crop(labels.codes, margin, label_file);
      r.cropped_epochs = from;
      r.label_start += from * d->epoch_samples_;
      labels.codes = {labels.codes.begin() + static_cast<std::ptrdiff_t>(from),
                      labels.codes.begin() + static_cast<std::ptrdiff_t>(to)};
    }
    r.labels = std::move(labels.codes);

    if (options.scaling != scaling::none) {
      // Over the channel's own samples inside the labeled span.
      const auto span_end = r.label_start + r.labels.size() * d->epoch_samples_;
      for (auto& plan : r.plans) {
        auto spr = h.signals[plan.signal].samples_per_record;
        auto in = static_cast<__int128>(d->epoch_ticks_) * spr;
        auto out = static_cast<__int128>(h.record_ticks) * d->epoch_samples_;
        auto lo = static_cast<std::uint64_t>(-floor_div(-static_cast<__int128>(r.label_start) * in, out));
        auto hi = std::min<std::uint64_t>(
          static_cast<std::uint64_t>(static_cast<__int128>(span_end) * in / out), h.records * spr);
        auto label = "channel \"" + h.signals[plan.signal].label + "\"";
        if (hi <= lo)
          bad(e.psg, label + " has no samples in the labeled span to scale by");
        whole.resize(hi - lo);
        r.file->read(std::span{&plan.signal, 1}, lo, hi - lo, whole.data());
        plan.scale = options.scaling == scaling::robust ? robust_statistics(whole)
                                                        : zscore_statistics(whole);
        if (!(plan.scale.spread > 0) || !std::isfinite(plan.scale.spread))
          bad(e.psg, label + " is flat over its labeled span (its "
                       + (options.scaling == scaling::robust ? "inter-quartile range"
                                                             : "standard deviation")
                       + " is 0): it cannot be scaled");
      }
    }
    d->recordings_.push_back(std::move(r));
  }
  return d;
}

void dataset::read(const recording& r, std::span<const std::uint16_t> signals,
                   std::uint64_t start, std::uint64_t n, float* out) const {
  const bool scaled = options_.scaling != scaling::none;
  const bool resampled = std::any_of(r.plans.begin(), r.plans.end(),
                                     [](auto& p) { return p.resample != nullptr; });
  if (!scaled && !resampled) {
    r.file->read(signals, start, n, out);  // straight from the file, as ever
    return;
  }
  auto& h = r.file->header();
  thread_local std::vector<float> input;
  for (std::size_t k = 0; k < signals.size(); ++k) {
    auto plan = std::find_if(r.plans.begin(), r.plans.end(),
                             [&](auto& p) { return p.signal == signals[k]; });
    if (plan == r.plans.end())
      throw error(errc::invalid_state, r.psg.string() + ": signal " + std::to_string(signals[k])
                                         + " is not one of the dataset's channels");
    float* y = out + k * n;
    if (!plan->resample) {
      r.file->read(signals.subspan(k, 1), start, n, y);
    } else {
      auto [first, last] = plan->resample->input_span(start, n);
      auto total = static_cast<std::int64_t>(h.records * h.signals[signals[k]].samples_per_record);
      input.assign(static_cast<std::size_t>(last - first), 0.0f);
      auto lo = std::max<std::int64_t>(first, 0), hi = std::min(last, total);
      if (hi > lo)
        r.file->read(signals.subspan(k, 1), static_cast<std::uint64_t>(lo),
                     static_cast<std::uint64_t>(hi - lo), input.data() + (lo - first));
      plan->resample->apply(input.data(), first, start, n, y);
    }
    if (scaled)
      apply_scale(y, n, plan->scale, options_.scaling == scaling::robust ? options_.clip : 0);
  }
}

}  // namespace lockstep::signals
