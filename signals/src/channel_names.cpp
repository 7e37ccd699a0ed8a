#include "lockstep/signals/channel_names.hpp"

#include <cctype>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {

namespace {

std::string lower_trimmed(std::string_view s) {
  auto b = s.find_first_not_of(' ');
  auto e = s.find_last_not_of(' ');
  std::string out;
  if (b == std::string_view::npos)
    return out;
  for (auto c : s.substr(b, e - b + 1))
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string channel_key(std::string_view name) {
  std::string folded;
  for (auto c : lower_trimmed(name)) {
    bool sep = c == ' ' || c == '-' || c == ':' || c == '/' || c == '_' || c == '.';
    if (!sep)
      folded += c;
    else if (!folded.empty() && folded.back() != '-')
      folded += '-';
  }
  while (!folded.empty() && folded.back() == '-')
    folded.pop_back();
  for (std::string_view type : {"eeg-", "eog-", "emg-", "ecg-"})
    if (folded.size() > type.size() && folded.starts_with(type)) {
      folded.erase(0, type.size());
      break;
    }
  // Electrode by electrode: "a1" is "m1" wherever it stands alone.
  std::string out;
  std::size_t at = 0;
  while (at <= folded.size()) {
    auto end = folded.find('-', at);
    if (end == std::string::npos)
      end = folded.size();
    auto part = folded.substr(at, end - at);
    if (part == "a1")
      part = "m1";
    else if (part == "a2")
      part = "m2";
    out += part;
    if (end < folded.size())
      out += '-';
    at = end + 1;
  }
  return out;
}

std::optional<std::uint16_t> find_channel(const edf_header& header, std::string_view name,
                                          const std::string& file) {
  auto want = lower_trimmed(name);
  auto key = channel_key(name);
  std::vector<std::uint16_t> near;
  for (std::size_t i = 0; i < header.signals.size(); ++i) {
    auto& label = header.signals[i].label;
    if (lower_trimmed(label) == want)
      return static_cast<std::uint16_t>(i);
    if (!key.empty() && channel_key(label) == key)
      near.push_back(static_cast<std::uint16_t>(i));
  }
  if (near.size() > 1)
    throw error(errc::invalid_dataset,
                file + ": channel \"" + std::string{name} + "\" could be \""
                  + header.signals[near[0]].label + "\" or \"" + header.signals[near[1]].label
                  + "\"; name it exactly");
  if (near.empty())
    return std::nullopt;
  return near[0];
}

}  // namespace lockstep::signals
