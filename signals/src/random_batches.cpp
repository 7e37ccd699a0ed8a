#include "lockstep/signals/random_batches.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/messages/errors.hpp"
#include "lockstep/detail/json_fields.hpp"
#include "lockstep/runtime/digest.hpp"
#include "lockstep/runtime/rank_share.hpp"
#include "lockstep/signals/sampling.hpp"

namespace lockstep::signals {

namespace jf = detail::json_fields;

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const random_batches_state& s) {
  boost::json::object obj;
  write_rng(obj, s.rng);
  obj["index"] = s.index;
  v = std::move(obj);
}

random_batches_state tag_invoke(boost::json::value_to_tag<random_batches_state>,
                                const boost::json::value& v) {
  auto& obj = jf::object(v, "state");
  jf::only_keys(obj, {"rng", "s", "index"}, "state");
  return {read_rng(obj, "state"), jf::uint64(jf::field(obj, "index", "state"), "state.index")};
}

std::string_view window_order_name(window_order o) {
  return o == window_order::sequential ? "sequential" : "random";
}

window_order parse_window_order(std::string_view text) {
  for (auto o : {window_order::random, window_order::sequential})
    if (text == window_order_name(o))
      return o;
  throw error(errc::invalid_config,
              "order must be random or sequential, not \"" + std::string{text} + "\"");
}

// The cumulative weights, built once and shared by copies of the source.
struct random_batches::tables {
  weighted_choice recordings;
  std::vector<std::optional<weighted_choice>> epochs;  // none for recordings of weight 0
  // sequential: the windows before each recording's first, and in all at the end.
  std::vector<std::uint64_t> pass_starts;
};

random_batches::random_batches(std::shared_ptr<const dataset> data, random_batches_params p)
    : data_(std::move(data)), params_(std::move(p)) {
  auto bad = [](const std::string& why) {
    throw error(errc::invalid_config, "invalid signals source: " + why);
  };
  auto& recs = data_->recordings();
  auto epoch = format_seconds(data_->epoch_ticks());
  if (params_.batch_size == 0)
    bad("batch_size must be at least 1");
  if (params_.batch_size > max_batch_size)
    bad("batch_size is " + std::to_string(params_.batch_size) + "; at most "
        + std::to_string(max_batch_size) + " are supported");
  if (!std::isfinite(params_.window_seconds) || params_.window_seconds < 0)
    bad("window_seconds must be a finite number > 0");
  if (params_.window_seconds > 1e11)  // beyond any recording, and near int64 ticks
    bad("window_seconds is " + format_number(params_.window_seconds)
        + ", longer than any recording");
  auto window_ticks = std::llround(params_.window_seconds * ticks_per_second);
  if (window_ticks == 0)
    bad("window_seconds must be > 0 (at least one " + epoch + " epoch)");
  if (window_ticks % data_->epoch_ticks() != 0)
    bad("window_seconds is " + format_seconds(window_ticks) + ", "
        + format_number(static_cast<double>(window_ticks) / static_cast<double>(data_->epoch_ticks()))
        + " epochs of " + epoch + "; a window must be a whole number of epochs");
  window_epochs_ = static_cast<std::uint64_t>(window_ticks / data_->epoch_ticks());
  if (auto k = params_.sequence_epochs) {
    if (*k == 0 || *k > max_sequence_epochs)
      bad("sequence_epochs is " + std::to_string(*k) + "; it must be 1.."
          + std::to_string(max_sequence_epochs));
    if (window_epochs_ != 1 && window_epochs_ != *k)
      bad("window_seconds is " + format_seconds(window_ticks) + " with sequence_epochs "
          + std::to_string(*k) + "; leave it at one " + epoch + " epoch (a sequence of "
          + std::to_string(*k) + " is " + format_seconds(*k * data_->epoch_ticks()) + ")");
    window_epochs_ = *k;
  }
  if (params_.order == window_order::sequential && params_.n_channels)
    bad("n_channels draws channels at random; the sequential order reads them all");

  std::vector<double> weights;
  if (params_.signal_weights) {
    weights = *params_.signal_weights;
    if (weights.size() != recs.size())
      bad("signal_weights has " + std::to_string(weights.size()) + " entries for "
          + std::to_string(recs.size()) + " recordings");
  } else {
    for (auto& r : recs)
      weights.push_back(r.weight);
  }
  if (params_.label_weights && params_.label_weights->size() != recs.size())
    bad("label_weights has " + std::to_string(params_.label_weights->size()) + " lists for "
        + std::to_string(recs.size()) + " recordings");

  auto t = std::make_shared<tables>(tables{weighted_choice{weights, "signal_weights"}, {}, {}});
  if (params_.n_channels && *params_.n_channels == 0)
    bad("n_channels must be at least 1 (or unset for all channels)");
  for (std::size_t i = 0; i < recs.size(); ++i) {
    auto& r = recs[i];
    auto which = "recording " + std::to_string(i) + " (" + r.name + ")";
    auto where = "label_weights[" + std::to_string(i) + "]";
    if (params_.label_weights && (*params_.label_weights)[i].size() != r.labels.size())
      bad(where + " has " + std::to_string((*params_.label_weights)[i].size())
          + " entries for the " + std::to_string(r.labels.size()) + " epochs of " + which);
    if (t->recordings.weight(i) == 0) {
      t->epochs.emplace_back();
      continue;
    }
    if (window_epochs_ > r.labels.size())
      bad("a window of " + format_seconds(window_ticks) + " is longer than the labels of "
          + which + ": " + std::to_string(r.labels.size()) + " epochs of " + epoch);
    auto n = static_cast<std::uint32_t>(r.channels.size());
    if (params_.n_channels && *params_.n_channels > n)
      bad("n_channels is " + std::to_string(*params_.n_channels) + " but " + which + " has "
          + std::to_string(n) + " channels at " + format_number(data_->sample_rate()) + " Hz");
    if (!params_.n_channels && channels_ != 0 && n != channels_)
      bad(which + " has " + std::to_string(n) + " channels and another " + std::to_string(channels_)
          + "; set n_channels to draw the same number from each");
    channels_ = params_.n_channels.value_or(n);
    t->epochs.push_back(params_.label_weights
                          ? weighted_choice{(*params_.label_weights)[i], where}
                          : weighted_choice::uniform(r.labels.size()));
  }
  t->pass_starts.push_back(0);
  for (auto& r : recs)
    t->pass_starts.push_back(t->pass_starts.back() + r.labels.size() / window_epochs_);
  tables_ = std::move(t);
  fingerprint_ = make_fingerprint(weights);
  outputs_ = std::make_shared<output_pool>(output_pool_bytes());
}

std::size_t random_batches::output_pool_bytes() const noexcept {
  // 64 MiB holds the whole window of a default batcher (2W+1 buffered, W in
  // flight) for 2 MB batches and W up to 10, so a restart finds its blocks;
  // in a steady run only a few are ever idle, so larger batches keep four.
  const std::size_t x =
    std::size_t{params_.batch_size} * channels_ * window_samples() * sizeof(float);
  return std::max<std::size_t>(std::size_t{64} << 20, 4 * x);
}

window random_batches::draw_window(xoshiro256ss& rng) const {
  window w;
  auto r = tables_->recordings(rng);
  auto& rec = data_->recordings()[r];
  auto e = (*tables_->epochs[r])(rng);
  auto n = rec.labels.size();
  auto k = window_epochs_;
  // Starts whose window [s, s + k) holds e and lies within [0, n).
  auto lo = e + 1 >= k ? e + 1 - k : 0;
  auto hi = std::min<std::uint64_t>(e, n - k);
  w.recording = static_cast<std::uint32_t>(r);
  w.start_epoch = lo + uniform_below(rng, hi - lo + 1);
  w.start_sample = rec.label_start + w.start_epoch * data_->epoch_samples();
  if (params_.n_channels) {
    thread_local std::vector<std::size_t> drawn;
    drawn.clear();
    draw_without_replacement(rng, rec.channels.size(), *params_.n_channels, drawn);
    for (auto c : drawn)
      w.channels.push_back(rec.channels[c]);
  } else {
    w.channels = rec.channels;
  }
  return w;
}

std::uint64_t random_batches::pass_windows() const noexcept {
  return params_.order == window_order::sequential ? tables_->pass_starts.back() : 0;
}

window random_batches::pass_window(std::uint64_t i) const {
  auto& starts = tables_->pass_starts;
  // The recording whose windows [starts[r], starts[r + 1]) hold i.
  auto r = static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), i)
                                    - starts.begin() - 1);
  auto& rec = data_->recordings()[r];
  window w;
  w.recording = static_cast<std::uint32_t>(r);
  w.start_epoch = (i - starts[r]) * window_epochs_;
  w.start_sample = rec.label_start + w.start_epoch * data_->epoch_samples();
  w.channels = rec.channels;
  return w;
}

std::optional<std::pair<random_batch, random_batches_state>>
random_batches::iterate(const random_batches_state& s) const {
  auto next = s;
  random_batch b;
  if (params_.order == window_order::sequential) {
    const auto total = pass_windows();
    const auto first = static_cast<unsigned __int128>(s.index) * params_.batch_size;
    if (first >= total)
      return std::nullopt;
    const auto last = std::min<std::uint64_t>(total, static_cast<std::uint64_t>(first) + params_.batch_size);
    b.items.reserve(last - static_cast<std::uint64_t>(first));
    for (auto i = static_cast<std::uint64_t>(first); i < last; ++i)
      b.items.push_back(pass_window(i));
  } else {
    b.items.reserve(params_.batch_size);
    for (std::uint32_t i = 0; i < params_.batch_size; ++i)
      b.items.push_back(draw_window(next.rng));
  }
  ++next.index;
  return std::make_pair(std::move(b), next);
}

random_batch random_batches::part_of(const random_batch& b, std::size_t part,
                                     std::size_t parts) const {
  auto [first, last] = part_range(b.items.size(), part, parts);
  using diff = std::vector<window>::difference_type;
  return {{b.items.begin() + static_cast<diff>(first), b.items.begin() + static_cast<diff>(last)}};
}

labeled_batch random_batches::materialize(const random_batch& b) const {
  auto& recs = data_->recordings();
  const auto items = b.items.size();
  const auto k = window_epochs_;
  const auto samples = window_samples();
  const auto epoch = data_->epoch_samples();
  const bool sequence = params_.sequence_epochs.has_value();
  labeled_batch out;
  if (sequence)
    out.x.shape = {items, k, channels_, epoch};
  else
    out.x.shape = {items, channels_, samples};
  out.x.values = pooled_values<float>(outputs_, items * channels_ * samples);
  out.y.shape = {items, k};
  out.y.values.resize(items * k);  // a few hundred bytes: malloc's bins reuse them already
  for (std::size_t i = 0; i < items; ++i) {
    auto& w = b.items[i];
    if (w.recording >= recs.size() || w.channels.size() != channels_
        || w.start_epoch + k > recs[w.recording].labels.size())
      throw error(errc::invalid_state, "signals: batch item " + std::to_string(i)
                                         + " does not fit this dataset");
    auto& rec = recs[w.recording];
    float* x = out.x.values.data() + i * channels_ * samples;
    if (sequence)
      for (std::uint64_t j = 0; j < k; ++j)
        data_->read(rec, w.channels, w.start_sample + j * epoch, epoch, x + j * channels_ * epoch);
    else
      data_->read(rec, w.channels, w.start_sample, samples, x);
    std::copy_n(rec.labels.begin() + static_cast<std::ptrdiff_t>(w.start_epoch), k,
                out.y.values.begin() + static_cast<std::ptrdiff_t>(i * k));
  }
  out.items = b.items;
  return out;
}

namespace {

std::string exact(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

std::string fmt_digest(std::uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The labels as materialize reads them: the codes and where epoch 0 starts.
std::string labels_digest(const recording& r) {
  return fmt_digest(xxh64(r.labels.data(), r.labels.size(), r.label_start));
}

// What both params() and the fingerprint say: the options and the window.
boost::json::object window_fields(const dataset& data, const random_batches_params& p) {
  boost::json::object labels;
  for (auto& [text, code] : data.options().labels.entries())
    labels[text] = code;
  boost::json::object out{
    {"epoch_seconds", exact(data.options().epoch_seconds)},
    {"labels", std::move(labels)},
    {"batch_size", p.batch_size},
    {"window_seconds", exact(p.window_seconds)},
    {"n_channels", p.n_channels ? boost::json::value(*p.n_channels) : boost::json::value(nullptr)},
  };
  // Set only when they differ from the defaults, so the fingerprints (and
  // checkpoints) of sources that do not use them stay as they were.
  auto& o = data.options();
  if (!o.channels.empty()) {
    boost::json::array names;
    for (auto& n : o.channels)
      names.emplace_back(n);
    out["channels"] = std::move(names);
  }
  if (o.sample_rate)
    out["sample_rate"] = exact(*o.sample_rate);
  if (o.scaling != scaling::none) {
    out["scaling"] = scaling_name(o.scaling);
    out["clip"] = exact(o.clip);
  }
  if (o.crop_wake_minutes)
    out["crop_wake_minutes"] = exact(*o.crop_wake_minutes);
  if (p.sequence_epochs)
    out["sequence_epochs"] = *p.sequence_epochs;
  if (p.order != window_order::random)
    out["order"] = window_order_name(p.order);
  return out;
}

double exact_from(const boost::json::value& v, std::string_view what) {
  auto text = detail::json_fields::string(v, what, errc::invalid_config);
  char* end = nullptr;
  auto x = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(x))
    throw error(errc::invalid_config, std::string{what} + " must be a number written as a string");
  return x;
}

}  // namespace

std::string random_batches::params() const {
  auto out = window_fields(*data_, params_);
  out["dataset"] = data_->location().string();
  return boost::json::serialize(out);
}

std::string random_batches::make_fingerprint(const std::vector<double>& weights) const {
  boost::json::array recordings;
  auto& recs = data_->recordings();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    auto& r = recs[i];
    boost::json::object rec{
      {"name", r.name},
      {"samples", r.samples_digest},
      {"labels", labels_digest(r)},
      {"weight", exact(weights[i])},
    };
    auto& o = data_->options();
    if (!o.channels.empty() || o.sample_rate || o.scaling != scaling::none) {
      // What was picked and how it is read: each channel's label, own rate
      // and scaling statistics.
      boost::json::array channels;
      auto& h = r.file->header();
      for (auto& plan : r.plans) {
        boost::json::object c{{"label", h.signals[plan.signal].label},
                              {"rate", exact(h.sample_rate(plan.signal))}};
        if (o.scaling != scaling::none) {
          c["center"] = exact(plan.scale.center);
          c["spread"] = exact(plan.scale.spread);
        }
        channels.push_back(std::move(c));
      }
      rec["channels"] = std::move(channels);
    }
    if (params_.label_weights) {
      auto& w = (*params_.label_weights)[i];
      rec["label_weights"] = fmt_digest(xxh64(w.data(), w.size() * sizeof(double)));
    }
    recordings.push_back(std::move(rec));
  }
  auto out = window_fields(*data_, params_);
  out["recordings"] = std::move(recordings);
  return boost::json::serialize(out);
}

random_batches random_batches::from_params(const boost::json::value& v) {
  namespace jf = detail::json_fields;
  constexpr auto bad = errc::invalid_config;
  auto& obj = jf::object(v, "signals parameters", bad);
  jf::only_keys(obj, {"dataset", "epoch_seconds", "labels", "batch_size", "window_seconds",
                      "n_channels", "channels", "sample_rate", "scaling", "clip",
                      "crop_wake_minutes", "sequence_epochs", "order"},
                "signals parameters", bad);
  dataset_options options;
  options.epoch_seconds = exact_from(jf::field(obj, "epoch_seconds", "signals parameters", bad),
                                     "epoch_seconds");
  options.labels = label_map{};
  for (auto& [text, code] : jf::object(jf::field(obj, "labels", "signals parameters", bad),
                                       "labels", bad)) {
    auto c = jf::uint64(code, "labels." + std::string{text}, bad);
    if (c > 255)
      throw error(bad, "labels." + std::string{text} + " must be a code in 0..255");
    options.labels.set(std::string{text}, static_cast<std::uint8_t>(c));
  }
  if (obj.contains("channels")) {
    auto& names = obj.at("channels");
    if (!names.is_array())
      throw error(bad, "channels must be an array of names");
    for (auto& n : names.get_array())
      options.channels.push_back(jf::string(n, "channels[]", bad));
  }
  if (obj.contains("sample_rate"))
    options.sample_rate = exact_from(obj.at("sample_rate"), "sample_rate");
  if (obj.contains("scaling"))
    options.scaling = parse_scaling(jf::string(obj.at("scaling"), "scaling", bad));
  if (obj.contains("clip"))
    options.clip = exact_from(obj.at("clip"), "clip");
  if (obj.contains("crop_wake_minutes"))
    options.crop_wake_minutes = exact_from(obj.at("crop_wake_minutes"), "crop_wake_minutes");
  random_batches_params p;
  if (obj.contains("sequence_epochs")) {
    auto k = jf::uint64(obj.at("sequence_epochs"), "sequence_epochs", bad);
    if (k > UINT32_MAX)
      throw error(bad, "sequence_epochs is out of range");
    p.sequence_epochs = static_cast<std::uint32_t>(k);
  }
  if (obj.contains("order"))
    p.order = parse_window_order(jf::string(obj.at("order"), "order", bad));
  auto size = jf::uint64(jf::field(obj, "batch_size", "signals parameters", bad), "batch_size", bad);
  if (size > UINT32_MAX)
    throw error(bad, "batch_size is out of range");
  p.batch_size = static_cast<std::uint32_t>(size);
  p.window_seconds = exact_from(jf::field(obj, "window_seconds", "signals parameters", bad),
                                "window_seconds");
  auto& n = jf::field(obj, "n_channels", "signals parameters", bad);
  if (!n.is_null()) {
    auto c = jf::uint64(n, "n_channels", bad);
    if (c > UINT32_MAX)
      throw error(bad, "n_channels is out of range");
    p.n_channels = static_cast<std::uint32_t>(c);
  }
  auto path = jf::string(jf::field(obj, "dataset", "signals parameters", bad), "dataset", bad);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw error(errc::invalid_dataset, "dataset " + path + " does not exist here");
  return random_batches{dataset::open(path, options), p};
}

}  // namespace lockstep::signals
