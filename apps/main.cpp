// The lockstep command: `lockstep run ...`, `lockstep node ...`,
// `lockstep make-dataset ...`, `lockstep jobs sqlite ...`, `lockstep split ...`
// (see `lockstep --help`).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "jobs_command.hpp"
#include "lockstep/runtime/version.hpp"
#include "make_dataset_command.hpp"
#include "node_command.hpp"
#include "run_command.hpp"
#include "split_command.hpp"

int main(int argc, char** argv) {
  using namespace lockstep::cli;
  CLI::App app{"lockstep: ordered, reproducible, resumable batch delivery"};
  app.set_version_flag("--version", std::string{"lockstep "} + std::string{lockstep::version});
  app.require_subcommand(1);
  run_options run_opts;
  auto* run_cmd = add_run_command(app, run_opts);
  node_command_options node_opts;
  auto* node_cmd = add_node_command(app, node_opts);
  make_dataset_cli make_opts;
  auto* make_cmd = add_make_dataset_command(app, make_opts);
  jobs_sqlite_options jobs_opts;
  auto* jobs_sqlite_cmd = add_jobs_command(app, jobs_opts);
  split_options split_opts;
  auto* split_cmd = add_split_command(app, split_opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_usage;
  }
  if (run_cmd->parsed())
    return run(run_opts);
  if (node_cmd->parsed())
    return run_node(node_opts);
  if (make_cmd->parsed())
    return make_dataset(make_opts);
  if (jobs_sqlite_cmd->parsed())
    return run_jobs_sqlite(jobs_opts);
  if (split_cmd->parsed())
    return run_split(split_opts);
  return exit_usage;
}
