// `lockstep make-dataset`: write a synthetic Sleep-EDF-style dataset.
#pragma once

#include <string>
#include <vector>

#include <CLI/App.hpp>

#include "make_dataset.hpp"

namespace lockstep::cli {

struct make_dataset_cli {
  std::string dir;
  signals::make_dataset_options data;
  std::string layout = "plain";
  /// --channels or --sample-rate given (the sleep-edf layout fixes both).
  std::vector<std::string> fixed_by_layout;
};

/// Adds the `make-dataset` subcommand to `app`, filling `opts`.
CLI::App* add_make_dataset_command(CLI::App& app, make_dataset_cli& opts);

/// Runs it; returns an exit_status.
int make_dataset(const make_dataset_cli& opts);

}  // namespace lockstep::cli
