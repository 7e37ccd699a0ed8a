// `lockstep jobs sqlite`: run an SQL statement once per page of a table.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/App.hpp>

namespace lockstep::cli {

struct jobs_sqlite_options {
  std::string db, table, key, sql;
  std::uint64_t page_size = 1000;
  std::size_t workers = 2;
  std::string checkpoint;
  double checkpoint_every = 5;
  std::string resume;
  double max_pages_per_second = 0;
  std::string stats_json;
  double stats_every = 1;
  bool accept_changes = false;
  bool stop_on_failure = false;
  bool no_progress = false;
  bool verbose = false;
};

/// Adds `jobs` with its `sqlite` subcommand to `app`; returns `jobs sqlite`.
CLI::App* add_jobs_command(CLI::App& app, jobs_sqlite_options& opts);

/// Runs it: 0 when every page is done, 1 when a page failed every attempt,
/// 2 for bad input (nothing run), 128 + N on signal N.
int run_jobs_sqlite(const jobs_sqlite_options& opts);

}  // namespace lockstep::cli
