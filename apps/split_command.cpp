#include "split_command.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "cli_checks.hpp"
#include "exit_status.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/signals/subjects.hpp"

namespace lockstep::cli {

namespace fs = std::filesystem;

CLI::App* add_split_command(CLI::App& app, split_options& o) {
  auto* cmd = app.add_subcommand(
    "split", "Write manifests of disjoint parts of a dataset (train, validation, ...), by subject");
  cmd->add_option("DATASET", o.dataset, "A directory of EDF recordings or a JSON manifest")
    ->required();
  cmd
    ->add_option("--by", o.by,
                 "What a part is made of: subject (Sleep-EDF's: characters 3 to 5 of SC4ssN... "
                 "names, so both nights of a subject go to one part)")
    ->required()
    ->check(CLI::IsMember({"subject"}));
  cmd->add_option("--fractions", o.fractions, "Each part's share of the subjects, e.g. 0.8,0.2")
    ->required()
    ->delimiter(',');
  cmd->add_option("--seed", o.seed, "The same seed makes the same split")
    ->required()
    ->check(unsigned_integer);
  cmd->add_option("--out", o.out, "An existing directory for the manifests")->capture_default_str();
  cmd
    ->add_option("--names", o.names,
                 "The parts' names, one per fraction (default: train,val; train,val,test; "
                 "part0,part1,...)")
    ->delimiter(',');
  return cmd;
}

int run_split(const split_options& o) {
  std::vector<signals::split_part> parts;
  std::shared_ptr<const signals::dataset> data;
  try {
    // What the command line alone decides is checked before the dataset is
    // opened (which reads every file).
    auto names = o.names;
    if (names.empty()) {
      if (o.fractions.size() == 2)
        names = {"train", "val"};
      else if (o.fractions.size() == 3)
        names = {"train", "val", "test"};
      else
        for (std::size_t i = 0; i < o.fractions.size(); ++i)
          names.push_back("part" + std::to_string(i));
    } else if (names.size() != o.fractions.size()) {
      throw error(errc::invalid_config, fmt::format("--names: {} names for {} fractions",
                                                    names.size(), o.fractions.size()));
    }
    for (auto& n : names)
      if (n.empty() || n.find('/') != std::string::npos || n == "." || n == "..")
        throw error(errc::invalid_config, "--names: \"" + n + "\" is not a file name");
    std::error_code ec;
    if (!fs::is_directory(o.out, ec))
      throw error(errc::invalid_config, "--out " + o.out + ": is not a directory");
    for (auto& n : names) {
      auto file = fs::path{o.out} / (n + ".json");
      if (fs::exists(fs::symlink_status(file, ec)))
        throw error(errc::invalid_config, file.string()
                                            + ": exists; a split never overwrites a manifest "
                                              "(remove it, or name another --out)");
    }
    data = signals::dataset::open(o.dataset);
    parts = signals::split_by_subject(*data, o.fractions, o.seed, names);
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep split: %s\n", e.what());
    return exit_usage;
  }
  try {
    auto files = signals::write_manifests(o.out, *data, parts);
    for (std::size_t i = 0; i < parts.size(); ++i)
      std::printf(
        "%s\n", fmt::format("lockstep split: {}: {} subject{}, {} recording{}: {}", parts[i].name,
                            parts[i].subjects.size(), parts[i].subjects.size() == 1 ? "" : "s",
                            parts[i].recordings.size(), parts[i].recordings.size() == 1 ? "" : "s",
                            files[i].string())
                  .c_str());
    return exit_ok;
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep split: %s\n", e.what());
    // A manifest that appeared meanwhile is refused as before: nothing written.
    return e.code() == errc::io_error ? exit_failed : exit_usage;
  }
}

}  // namespace lockstep::cli
