#include "make_dataset_command.hpp"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "lockstep/messages/errors.hpp"
#include "cli_checks.hpp"
#include "run_command.hpp"

namespace lockstep::cli {

CLI::App* add_make_dataset_command(CLI::App& app, make_dataset_cli& o) {
  auto* cmd = app.add_subcommand(
    "make-dataset",
    "Write synthetic sleep recordings: Sleep-EDF-style PSG and hypnogram EDF+ pairs");
  cmd
    ->add_option("DIR", o.dir,
                 "Where to write them: a new or empty directory (one holding files is refused)")
    ->required();
  auto& d = o.data;
  cmd->add_option("--recordings", d.recordings, "How many recordings")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd->add_option("--minutes", d.minutes, "Length of each recording")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd->add_option("--channels", d.channels, "EEG channels per recording")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd->add_option("--sample-rate", d.sample_rate, "Samples per second (Hz)")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd->add_option("--seed", d.seed, "The same seed writes the same bytes")
    ->check(unsigned_integer)
    ->capture_default_str();
  return cmd;
}

int make_dataset(const make_dataset_cli& o) {
  try {
    o.data.validate();
    signals::check_dataset_destination(o.dir);
    // Nothing is created before the options and the place are known good.
    auto parent = std::filesystem::path{o.dir}.lexically_normal().parent_path();
    std::error_code ec;
    if (!parent.empty() && parent != "." && std::filesystem::exists(parent, ec)
        && !std::filesystem::is_directory(parent, ec))
      throw error(errc::invalid_config, o.dir + ": cannot be created as a directory ("
                                          + parent.string() + " is not a directory)");
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep make-dataset: %s\n", e.what());
    return exit_usage;
  }
  try {
    auto files = signals::make_dataset(o.dir, o.data);
    std::uintmax_t bytes = 0;
    for (auto& f : files)
      bytes += std::filesystem::file_size(f);
    std::printf("%s\n", fmt::format("lockstep make-dataset: wrote {} recordings of {} min, {} "
                                    "channels at {} Hz ({} files, {:.1f} MB) to {}",
                                    o.data.recordings, o.data.minutes, o.data.channels,
                                    o.data.sample_rate, files.size(),
                                    static_cast<double>(bytes) / 1e6, o.dir)
                          .c_str());
    return exit_ok;
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep make-dataset: %s\n", e.what());
    return exit_failed;
  }
}

}  // namespace lockstep::cli
