#include "lockstep/signals/labels.hpp"

#include <algorithm>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {

std::string_view stage_name(std::uint8_t code) {
  static constexpr std::string_view names[] = {"W", "N1", "N2", "N3", "R", "?"};
  return code < std::size(names) ? names[code] : std::string_view{};
}

label_map label_map::sleep_stages() {
  label_map m;
  auto both = [&m](const std::string& text, stage s) {
    m.set(text, static_cast<std::uint8_t>(s));
    m.set("Sleep stage " + text, static_cast<std::uint8_t>(s));
  };
  both("W", stage::W);
  both("1", stage::N1);
  both("2", stage::N2);
  both("3", stage::N3);
  both("4", stage::N3);
  both("R", stage::R);
  both("N1", stage::N1);
  both("N2", stage::N2);
  both("N3", stage::N3);
  both("?", stage::unknown);
  m.set("Movement time", static_cast<std::uint8_t>(stage::unknown));
  return m;
}

std::optional<std::uint8_t> label_map::find(std::string_view text) const {
  auto i = codes_.find(text);
  if (i == codes_.end())
    return std::nullopt;
  return i->second;
}

epoch_labels encode_labels(std::span<const edf_annotation> annotations, std::int64_t epoch_ticks,
                           const label_map& map, const std::string& file, std::int64_t end) {
  auto bad = [&file](const std::string& why) {
    throw error(errc::invalid_dataset, file + ": " + why);
  };
  if (epoch_ticks <= 0)
    throw error(errc::invalid_config, "the epoch must last more than 0 s");

  struct span {
    const edf_annotation* a;
    std::uint8_t code;
  };
  std::vector<span> spans;
  for (auto& a : annotations)
    if (auto code = map.find(a.text))
      spans.push_back({&a, *code});
  if (spans.empty())
    bad("has no sleep-stage annotations (no annotation text is in the label map, "
        "e.g. \"Sleep stage W\")");
  std::stable_sort(spans.begin(), spans.end(),
                   [](const span& x, const span& y) { return x.a->onset < y.a->onset; });

  auto describe = [](const edf_annotation& a) {
    return "\"" + a.text + "\" at " + format_seconds(a.onset);
  };
  epoch_labels out;
  out.start = spans.front().a->onset;
  // Epochs that fit before `end`: the most that are ever expanded.
  const auto room = end > out.start ? static_cast<std::uint64_t>(
                                        (static_cast<__int128>(end) - out.start) / epoch_ticks)
                                    : 0;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    auto& a = *spans[i].a;
    if (a.duration < 0)
      bad("the label " + describe(a) + " has no duration");
    if (i > 0) {
      auto& prev = *spans[i - 1].a;
      auto end = static_cast<std::int64_t>(
        std::min<__int128>(static_cast<__int128>(prev.onset) + prev.duration, INT64_MAX));
      if (a.onset > end)
        bad("labels must be contiguous: " + describe(prev) + " ends at " + format_seconds(end)
            + ", but the next label, " + describe(a) + ", leaves a gap of "
            + format_seconds(a.onset - end));
      if (a.onset < end)
        bad("labels must not overlap: " + describe(prev) + " ends at " + format_seconds(end)
            + ", after the next label, " + describe(a) + ", begins");
    }
    bool last = i + 1 == spans.size();
    if (!last && a.duration % epoch_ticks != 0)
      bad("the label " + describe(a) + " lasts " + format_seconds(a.duration)
          + ", not a whole number of " + format_seconds(epoch_ticks) + " epochs");
    auto epochs = static_cast<std::uint64_t>(a.duration / epoch_ticks);
    out.codes.insert(out.codes.end(), std::min<std::uint64_t>(epochs, room - std::min<std::uint64_t>(room, out.codes.size())),
                     spans[i].code);
  }
  if (out.codes.empty() && room > 0)
    bad("its labels span less than one " + format_seconds(epoch_ticks) + " epoch");
  return out;
}

}  // namespace lockstep::signals
