// `lockstep split`: write train/validation manifests of a dataset, by subject.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/App.hpp>

namespace lockstep::cli {

struct split_options {
  std::string dataset;
  std::string by;
  std::vector<double> fractions;
  std::uint64_t seed = 0;
  std::string out = ".";
  std::vector<std::string> names;  ///< default: train,val / train,val,test / part0...
};

/// Adds the `split` subcommand to `app`, filling `opts`.
CLI::App* add_split_command(CLI::App& app, split_options& opts);

/// Runs it; returns an exit_status.
int run_split(const split_options& opts);

}  // namespace lockstep::cli
