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
  cmd->add_option("--layout", o.layout,
                  "plain (SL0000E0 names, --channels EEG signals at --sample-rate) or sleep-edf "
                  "(PhysioNet Sleep-EDF's: SC4ssN names, EEG Fpz-Cz, Pz-Oz and EOG at 100 Hz, "
                  "EMG, respiration, temperature and a marker at 1 Hz)")
    ->check(CLI::IsMember({"plain", "sleep-edf"}))
    ->capture_default_str();
  auto* channels = cmd->add_option("--channels", d.channels, "plain: EEG channels per recording")
                     ->check(unsigned_integer)
                     ->capture_default_str();
  auto* rate = cmd->add_option("--sample-rate", d.sample_rate, "plain: samples per second (Hz)")
                 ->check(unsigned_integer)
                 ->capture_default_str();
  cmd->callback([&o, channels, rate] {
    for (auto* opt : {channels, rate})
      if (opt->count() > 0)
        o.fixed_by_layout.push_back(opt->get_name());
  });
  cmd->add_option("--seed", d.seed, "The same seed writes the same bytes")
    ->check(unsigned_integer)
    ->capture_default_str();
  return cmd;
}

int make_dataset(const make_dataset_cli& o) {
  auto data = o.data;
  try {
    if (o.layout == "sleep-edf") {
      if (!o.fixed_by_layout.empty())
        throw error(errc::invalid_config, o.fixed_by_layout.front()
                                            + " does not apply to --layout sleep-edf (its "
                                              "channels and rates are Sleep-EDF's)");
      data.layout = signals::dataset_layout::sleep_edf;
    }
    data.validate();
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
    auto files = signals::make_dataset(o.dir, data);
    std::uintmax_t bytes = 0;
    for (auto& f : files)
      bytes += std::filesystem::file_size(f);
    auto what = o.layout == "sleep-edf"
                  ? std::string{"in Sleep-EDF's layout (3 signals at 100 Hz, 4 at 1 Hz)"}
                  : fmt::format("{} channels at {} Hz", data.channels, data.sample_rate);
    std::printf("%s\n", fmt::format("lockstep make-dataset: wrote {} recordings of {} min, {} "
                                    "({} files, {:.1f} MB) to {}",
                                    data.recordings, data.minutes, what, files.size(),
                                    static_cast<double>(bytes) / 1e6, o.dir)
                          .c_str());
    return exit_ok;
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep make-dataset: %s\n", e.what());
    return exit_failed;
  }
}

}  // namespace lockstep::cli
