#include "lockstep/signals/subjects.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::signals {

namespace fs = std::filesystem;

namespace {

std::string counted(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

[[noreturn]] void io_failed(const fs::path& file, const std::string& what, int err) {
  throw error(errc::io_error, file.string() + ": " + what + " (" + std::strerror(err) + ")");
}

[[noreturn]] void refuse_existing(const fs::path& file) {
  throw error(errc::invalid_config, file.string() + ": exists; a split never overwrites a "
                                                    "manifest (remove it, or name another --out)");
}

// The manifest's text: one recording per line, so that two splits diff well.
std::string manifest_text(const fs::path& file, const dataset& data, const split_part& part) {
  // Both sides resolved (symlinks too), so that base / relative names the
  // file the kernel will open, wherever the paths were given from.
  std::error_code ec;
  auto base = fs::weakly_canonical(fs::absolute(file, ec).parent_path(), ec);
  auto relative = [&](const fs::path& p) {
    std::error_code ignored;
    auto rel = fs::weakly_canonical(fs::absolute(p, ignored), ignored).lexically_relative(base);
    return boost::json::serialize(boost::json::value(rel.generic_string()));
  };
  std::string text = "{\"recordings\": [";
  for (std::size_t k = 0; k < part.recordings.size(); ++k) {
    auto& r = data.recordings().at(part.recordings[k]);
    text += k == 0 ? "\n  " : ",\n  ";
    text += "{\"psg\": " + relative(r.psg);
    if (!r.hypnogram.empty())
      text += ", \"hypnogram\": " + relative(r.hypnogram);
    if (r.weight != 1) {
      if (!std::isfinite(r.weight))
        throw error(errc::invalid_dataset, r.psg.string() + ": its weight is not a finite number");
      char digits[32];
      auto end = std::to_chars(digits, digits + sizeof digits, r.weight).ptr;  // shortest exact
      text += ", \"weight\": " + std::string(digits, end);
    }
    text += "}";
  }
  return text + "\n]}\n";
}

// Writes `text` to `file` through a temporary file, fsynced, then linked to
// its name: link(2) fails when the name exists, so even a manifest appearing
// meanwhile is never replaced (rename(2) would replace it).
void write_new_file(const fs::path& file, const std::string& text) {
  auto tmp = file.string() + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    io_failed(file, "cannot be written", errno);
  struct remove_tmp {
    const std::string& path;
    ~remove_tmp() { ::unlink(path.c_str()); }
  } guard{tmp};
  ::fchmod(fd, 0644);  // mkstemp's 0600 would hide it from other users
  for (std::size_t done = 0; done < text.size();) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      io_failed(file, "cannot be written", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    io_failed(file, "cannot be written to disk", err);
  }
  if (::close(fd) != 0)
    io_failed(file, "cannot be written", errno);
  if (::link(tmp.c_str(), file.c_str()) != 0) {
    int err = errno;
    if (err == EEXIST)
      refuse_existing(file);
    // A file system without hard links: checked, then renamed.
    if (err != EPERM && err != EOPNOTSUPP && err != ENOSYS)
      io_failed(file, "cannot be written", err);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(file, ec)))
      refuse_existing(file);
    if (::rename(tmp.c_str(), file.c_str()) != 0)
      io_failed(file, "cannot be written", errno);
  }
  auto dir = file.parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the new name itself, on disk
    ::close(dfd);
  }
}

}  // namespace

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
                                         std::uint64_t seed,
                                         const std::vector<std::string>& names) {
  auto bad = [](const std::string& why) { throw error(errc::invalid_config, "fractions: " + why); };
  if (fractions.size() < 2)
    bad("a split needs at least two parts");
  double sum = 0;
  for (auto f : fractions) {
    if (!(std::isfinite(f) && f > 0))
      bad("each must be a number > 0");
    sum += f;
  }
  if (std::abs(sum - 1) > 1e-9)
    bad("they sum to " + format_number(sum) + ", not 1");
  if (fractions.size() != names.size())
    throw error(errc::invalid_config, "names: " + counted(names.size(), "name", "names") + " for "
                                        + counted(fractions.size(), "fraction", "fractions"));
  for (std::size_t p = 0; p < names.size(); ++p) {
    if (names[p].empty())
      throw error(errc::invalid_config, "names: part " + std::to_string(p) + " has no name");
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(p), names[p])
        != names.begin() + static_cast<std::ptrdiff_t>(p))
      throw error(errc::invalid_config, "names: \"" + names[p] + "\" names two parts");
  }

  std::map<std::string, std::vector<std::size_t>> by_subject;  // sorted by subject
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
  // Fisher-Yates, from the last position down (the rule subjects.hpp states:
  // another implementation can redo the split from the seed).
  xoshiro256ss rng{seed};
  for (auto i = subjects.size(); i > 1; --i)
    std::swap(subjects[i - 1], subjects[uniform_below(rng, i)]);

  std::vector<split_part> parts;
  double cumulative = 0;
  std::size_t from = 0;
  for (std::size_t p = 0; p < fractions.size(); ++p) {
    cumulative += fractions[p];
    // The last part ends at the last subject whatever the rounding.
    auto to =
      p + 1 == fractions.size()
        ? subjects.size()
        : static_cast<std::size_t>(std::llround(cumulative * static_cast<double>(subjects.size())));
    to = std::clamp(to, from, subjects.size());
    if (to == from)
      throw error(errc::invalid_config,
                  "fractions: part \"" + names[p] + "\" gets no subject (the dataset has "
                    + counted(subjects.size(), "subject", "subjects")
                    + "); choose other fractions (each part needs at least one subject)");
    split_part part{names[p],
                    {subjects.begin() + static_cast<std::ptrdiff_t>(from),
                     subjects.begin() + static_cast<std::ptrdiff_t>(to)},
                    {}};
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
    refuse_existing(file);
  write_new_file(file, manifest_text(file, data, part));
}

std::vector<fs::path> write_manifests(const fs::path& dir, const dataset& data,
                                      const std::vector<split_part>& parts) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw error(errc::invalid_config, dir.string() + ": is not a directory");
  std::vector<fs::path> files;
  for (auto& p : parts) {
    if (p.name.empty() || p.name == "." || p.name == ".."
        || p.name.find_first_of(std::string_view{"/\0", 2}) != std::string::npos)
      throw error(errc::invalid_config, "names: \"" + p.name + "\" is not a file name");
    files.push_back(dir / (p.name + ".json"));
    if (fs::exists(fs::symlink_status(files.back(), ec)))
      refuse_existing(files.back());
  }
  // Whole or nothing: a failure removes the manifests this call wrote.
  std::size_t written = 0;
  try {
    for (; written < parts.size(); ++written)
      write_new_file(files[written], manifest_text(files[written], data, parts[written]));
  } catch (...) {
    for (std::size_t i = 0; i < written; ++i)
      fs::remove(files[i], ec);
    throw;
  }
  return files;
}

void check_disjoint_subjects(const dataset& train, const dataset& validation) {
  // A recording without a Sleep-EDF name is its own subject; the flag keeps
  // a name such as "400" apart from subject 400.
  using key = std::pair<bool, std::string>;
  auto subject = [](const recording& r) {
    auto s = sleep_edf_subject(r.name);
    return s ? key{true, *s} : key{false, r.name};
  };
  std::map<key, const recording*> seen;
  for (auto& r : train.recordings())
    seen.emplace(subject(r), &r);
  std::set<key> shared;
  std::string example;
  for (auto& r : validation.recordings()) {
    auto at = seen.find(subject(r));
    if (at == seen.end())
      continue;
    if (shared.empty())
      example = at->second->name + " in " + train.location().string() + ", " + r.name + " in "
                + validation.location().string();
    shared.insert(at->first);
  }
  if (shared.empty())
    return;
  constexpr std::size_t listed = 10;  // the whole list of a dataset against itself says little
  std::string list;
  std::size_t n = 0;
  for (auto& [is_subject, s] : shared) {
    if (n++ == listed) {
      list += ", ...";
      break;
    }
    list += (list.empty() ? "" : ", ") + (is_subject ? s : "recording " + s);
  }
  throw error(errc::invalid_dataset,
              "the training and validation sets share "
                + counted(shared.size(), "subject", "subjects") + " (" + list + "; e.g. " + example
                + "): windows of one subject would be on both sides; split by subject (lockstep "
                  "split --by subject)");
}

}  // namespace lockstep::signals
