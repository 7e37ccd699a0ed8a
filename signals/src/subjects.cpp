#include "lockstep/signals/subjects.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::signals {

namespace fs = std::filesystem;

std::optional<std::string> sleep_edf_subject(std::string_view name) {
  if (name.size() < 6 || !(name.starts_with("SC") || name.starts_with("ST")))
    return std::nullopt;
  auto subject = name.substr(2, 3);
  if (!std::all_of(subject.begin(), subject.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
    return std::nullopt;
  return std::string{subject};
}

std::vector<split_part> split_by_subject(const dataset& data, std::span<const double> fractions,
                                         std::uint64_t seed, const std::vector<std::string>& names) {
  auto bad = [](const std::string& why) { throw error(errc::invalid_config, "fractions: " + why); };
  if (fractions.size() < 2)
    bad("a split needs at least two parts");
  if (fractions.size() != names.size())
    bad(std::to_string(fractions.size()) + " fractions for " + std::to_string(names.size())
        + " names");
  double sum = 0;
  for (auto f : fractions) {
    if (!(std::isfinite(f) && f > 0))
      bad("each must be a number > 0");
    sum += f;
  }
  if (std::abs(sum - 1) > 1e-9)
    bad("they sum to " + format_number(sum) + ", not 1");

  std::map<std::string, std::vector<std::size_t>> by_subject;
  auto& recs = data.recordings();
  for (std::size_t i = 0; i < recs.size(); ++i) {
    auto subject = sleep_edf_subject(recs[i].name);
    if (!subject)
      throw error(errc::invalid_dataset,
                  recs[i].psg.string() + ": its name has no Sleep-EDF subject (expected SC4ssN... "
                                         "or ST7ssN..., the subject in characters 3 to 5)");
    by_subject[*subject].push_back(i);
  }
  std::vector<std::string> subjects;
  for (auto& [s, _] : by_subject)
    subjects.push_back(s);
  xoshiro256ss rng{seed};
  for (auto i = subjects.size(); i > 1; --i)
    std::swap(subjects[i - 1], subjects[uniform_below(rng, i)]);

  std::vector<split_part> parts;
  double cumulative = 0;
  std::size_t from = 0;
  for (std::size_t p = 0; p < fractions.size(); ++p) {
    cumulative += fractions[p];
    auto to = p + 1 == fractions.size()
                ? subjects.size()
                : static_cast<std::size_t>(std::llround(cumulative * static_cast<double>(subjects.size())));
    to = std::max(to, from);
    if (to == from)
      throw error(errc::invalid_config,
                  "fractions: part \"" + names[p] + "\" gets none of the "
                    + std::to_string(subjects.size()) + " subjects; choose other fractions");
    split_part part{names[p], {subjects.begin() + static_cast<std::ptrdiff_t>(from),
                               subjects.begin() + static_cast<std::ptrdiff_t>(to)}, {}};
    std::sort(part.subjects.begin(), part.subjects.end());
    for (auto& s : part.subjects)
      for (auto r : by_subject[s])
        part.recordings.push_back(r);
    std::sort(part.recordings.begin(), part.recordings.end());
    parts.push_back(std::move(part));
    from = to;
  }
  return parts;
}

void write_manifest(const fs::path& file, const dataset& data, const split_part& part) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(file, ec)))
    throw error(errc::invalid_config, file.string() + ": exists; a split never overwrites a "
                                                      "manifest (remove it, or name another --out)");
  auto base = fs::absolute(file, ec).parent_path();
  auto relative = [&](const fs::path& p) {
    return fs::absolute(p, ec).lexically_normal().lexically_relative(base.lexically_normal()).generic_string();
  };
  boost::json::array list;
  for (auto i : part.recordings) {
    auto& r = data.recordings()[i];
    boost::json::object entry{{"psg", relative(r.psg)}};
    if (!r.hypnogram.empty())
      entry["hypnogram"] = relative(r.hypnogram);
    if (r.weight != 1)
      entry["weight"] = r.weight;
    list.push_back(std::move(entry));
  }
  auto text = boost::json::serialize(boost::json::object{{"recordings", std::move(list)}}) + "\n";
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    out << text;
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw error(errc::io_error, file.string() + ": cannot be written");
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw error(errc::io_error, file.string() + ": cannot be written (" + ec.message() + ")");
  }
}

void check_disjoint_subjects(const dataset& train, const dataset& validation) {
  auto subject = [](const recording& r) { return sleep_edf_subject(r.name).value_or(r.name); };
  std::map<std::string, const recording*> seen;
  for (auto& r : train.recordings())
    seen.emplace(subject(r), &r);
  std::set<std::string> shared;
  std::string example;
  for (auto& r : validation.recordings()) {
    auto s = subject(r);
    auto at = seen.find(s);
    if (at == seen.end())
      continue;
    if (shared.empty())
      example = at->second->name + " in " + train.location().string() + ", " + r.name + " in "
                + validation.location().string();
    shared.insert(s);
  }
  if (shared.empty())
    return;
  std::string list;
  for (auto& s : shared)
    list += (list.empty() ? "" : ", ") + s;
  throw error(errc::invalid_dataset,
              "the training and validation sets share " + std::to_string(shared.size())
                + (shared.size() == 1 ? " subject" : " subjects") + " (" + list + "; e.g. "
                + example + "): split by subject (lockstep split --by subject)");
}

}  // namespace lockstep::signals
