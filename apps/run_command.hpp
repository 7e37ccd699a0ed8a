// `lockstep run`: stream batches from a built-in source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/App.hpp>

#include "exit_status.hpp"

#include "lockstep/runtime/config.hpp"
#include "lockstep/signals/random_batches.hpp"
#include "lockstep/sources/grid.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep::cli {

struct run_options {
  std::string source = "synthetic";
  std::optional<std::uint64_t> seed;
  std::string resume;
  bool accept_changes = false;
  std::optional<std::uint64_t> batches;
  std::string digests;
  bool no_progress = false;
  std::string stats_json;   ///< --stats-json FILE; empty: none
  double stats_every = 1;   ///< seconds between two of its lines
  std::string checkpoint;   ///< --checkpoint FILE; empty: none
  double checkpoint_every = 5;  ///< at most one write per this many seconds
  bool verbose = false;
  /// --rank R --world-size N --shard MODE: this process is one rank of a
  /// data-parallel job (docs/ranks.md); no --world-size: no ranks.
  std::optional<std::size_t> rank;
  std::optional<std::size_t> world_size;
  std::string shard = "interleave";

  /// The run's config: --config FILE, or lockstep's defaults, with every
  /// option below that was given on top (none has a default of its own).
  std::string config_file;
  std::optional<std::size_t> workers;
  std::optional<std::size_t> buffer;
  std::optional<std::size_t> buffer_bytes;
  std::optional<std::uint32_t> retries;
  std::optional<double> retry_delay_ms;
  std::vector<std::string> nodes;
  std::string token_file;
  std::optional<std::size_t> spawn_nodes;
  std::optional<std::size_t> shm_bytes;
  std::vector<std::string> node_launch;
  std::optional<double> no_worker_timeout_s;
  std::optional<double> heartbeat_s;
  std::optional<double> connection_timeout_s;

  synthetic_params synthetic;
  std::string dataset;  ///< signals: a directory of EDF recordings or a manifest
  signals::random_batches_params signals;
  signals::dataset_options preparation;  ///< signals: channels, rate, scaling, cropping
  std::string scaling = "none";          ///< signals: parsed into preparation.scaling
  std::string order = "random";          ///< signals: parsed into signals.order
  std::string validation;  ///< signals: a validation dataset that must share no subject
  grid_params grid;
  /// Options given on the command line that belong to one source only:
  /// (source, option name).
  std::vector<std::pair<std::string, std::string>> source_only;
};

/// Adds the `run` subcommand to `app`, filling `opts`.
CLI::App* add_run_command(CLI::App& app, run_options& opts);

/// Runs it; returns an exit_status.
int run(const run_options& opts);

/// The config `opts` describe. Throws lockstep::error(invalid_config).
config make_config(const run_options& opts);

}  // namespace lockstep::cli
