// `lockstep run`: stream batches from a built-in source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/App.hpp>

#include "exit_status.hpp"

#include "lockstep/runtime/config.hpp"
#include "lockstep/sources/signals/random_batches.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep::cli {

struct run_options {
  std::string source = "synthetic";
  std::optional<std::uint64_t> seed;
  std::string resume;
  std::optional<std::uint64_t> batches;
  std::size_t workers = default_workers();
  std::optional<std::size_t> buffer;
  std::uint32_t retries = 4;
  double retry_delay_ms = 50;
  std::string digests;
  bool no_progress = false;
  std::vector<std::string> nodes;
  std::string token_file;
  std::size_t spawn_nodes = 0;
  std::vector<std::string> node_launch;
  double no_worker_timeout_s = 30;
  double heartbeat_s = 1;
  double connection_timeout_s = 5;
  bool verbose = false;
  synthetic_params synthetic;
  std::string dataset;  ///< signals: a directory of EDF recordings or a manifest
  signals::random_batches_params signals;
  /// Options given on the command line that belong to one source only.
  std::vector<std::string> synthetic_only, signals_only;
};

/// Adds the `run` subcommand to `app`, filling `opts`.
CLI::App* add_run_command(CLI::App& app, run_options& opts);

/// Runs it; returns an exit_status.
int run(const run_options& opts);

}  // namespace lockstep::cli
