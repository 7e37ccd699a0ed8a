#include "jobs_command.hpp"

#include <atomic>
#include <cstdio>
#include <optional>

#include <unistd.h>

#include <fmt/format.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/job_runner.hpp"
#include "lockstep/runtime/log.hpp"
#include "lockstep/sqlite/pages.hpp"
#include "cli_checks.hpp"
#include "exit_status.hpp"
#include "progress.hpp"
#include "signal_watcher.hpp"
#include "stats_log.hpp"

namespace lockstep::cli {

namespace {

using job = job_runner<sqlite::pages>;

void say(const std::string& line) {
  std::fprintf(stderr, "lockstep jobs sqlite: %s\n", line.c_str());
}

job_config make_job_config(const jobs_sqlite_options& o) {
  if (!(o.max_pages_per_second >= 0 && o.max_pages_per_second < 1e12))
    throw error(errc::invalid_config,
                "--max-pages-per-second must be a number >= 0 (0: no limit)");
  job_config c;
  c.run.workers = o.workers;
  c.max_pages_per_second = o.max_pages_per_second;
  c.failures = o.stop_on_failure ? on_failure::stop : on_failure::go_on;
  c.checkpoint = o.checkpoint;
  if (!o.checkpoint.empty())
    c.checkpoint_every = seconds_to_ms(o.checkpoint_every, "--checkpoint-every");
  if (!o.checkpoint.empty() && o.checkpoint == o.stats_json)
    throw error(errc::invalid_config, "--checkpoint and --stats-json name the same file");
  c.validate();
  return c;
}

// The job from `from` to its end or a signal; the exit status.
int run_job(const jobs_sqlite_options& o, sqlite::pages src, const job_config& cfg,
            job_progress<sqlite::pages_state> from) {
  auto pages = (src.rows() + o.page_size - 1) / o.page_size;
  auto to_do = pages - std::min(pages, from.index + from.done_ahead.size());
  stats_log stats_file{o.stats_json, o.stats_every, o.resume};
  std::optional<job> runner;
  std::atomic<job*> live{nullptr};
  // Before any thread: the watcher's signals are blocked in all of them.
  signal_watcher interrupt{[&live](int signo) {
    if (auto* j = live.load())
      return j->stop();
    die_of(signo);
  }};
  runner.emplace(std::move(src), cfg);
  runner->start(std::move(from));  // writes the checkpoint before any page
  live = &*runner;
  progress bar{to_do, !o.no_progress && isatty(fileno(stderr)),
               [&] { return std::pair{runner->stats(), runner->status().paused}; }};
  bar.count_rows("pages");
  auto sample = [&] {
    return stats_sample{bar.seconds(), bar.batches(), runner->pool_size(), runner->stats(),
                        runner->status()};
  };
  std::uint64_t failed = 0;
  int status = exit_ok;
  try {
    while (auto page = runner->next()) {
      if (!page->output) {
        bar.finish();
        say(fmt::format("page {} failed after {} attempt{}: {}", page->index, page->attempts,
                        page->attempts == 1 ? "" : "s", page->error));
        ++failed;
      }
      bar.add(page->output ? page->output->rows : 0);
      if (stats_file.due(bar.seconds()))
        stats_file.write(sample());
    }
  } catch (const error& e) {
    bar.finish();
    if (!interrupt.fired()) {
      say(e.what());
      status = exit_failed;
    }
  }
  if (interrupt.fired())
    status = 128 + interrupt.signal();
  auto last = sample();
  bar.finish();
  try {
    runner->stop();  // the last progress, to the checkpoint
    stats_file.write(last);
  } catch (const error& e) {
    say(e.what());
    status = exit_failed;
  }
  auto p = runner->progress();
  if (status == exit_ok && !p.failed.empty())
    status = exit_failed;
  std::string ck;
  if (!o.checkpoint.empty())
    ck = fmt::format(", {} checkpoint writes to {}", runner->checkpoint_writes(), o.checkpoint);
  say(fmt::format("{} pages ({} rows) in {:.2f} s, {} failed{}{}; {} of {} pages settled", bar.batches(),
                  bar.bytes(), bar.seconds(), failed,
                  p.failed.size() > failed ? fmt::format(" ({} in all)", p.failed.size()) : "", ck,
                  p.index, pages));
  for (auto& f : p.failed)
    say(fmt::format("failed: page {} (after key {}): {}", f.index,
                    f.state.after ? std::to_string(*f.state.after) : std::string{"none"},
                    f.error));
  return status;
}

}  // namespace

CLI::App* add_jobs_command(CLI::App& app, jobs_sqlite_options& o) {
  auto* jobs = app.add_subcommand("jobs", "Run work for its side effects, page by page");
  jobs->require_subcommand(1);
  auto* cmd = jobs->add_subcommand(
    "sqlite",
    "Run an SQL statement once per page of a table (keyset pages of its INTEGER PRIMARY KEY), "
    "in parallel, at least once per page, resumable from a checkpoint");
  cmd->add_option("--db", o.db, "The SQLite database file (it must exist)")->required();
  cmd->add_option("--table", o.table, "The table paged through")->required();
  cmd->add_option("--key", o.key, "Its INTEGER PRIMARY KEY column")->required();
  cmd->add_option("--page-size", o.page_size, "Rows per page")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd
    ->add_option("--sql", o.sql,
                 "The statement run for each page, with :first and :last bound to the page's "
                 "key range (it should be idempotent: a page may run twice)")
    ->required();
  cmd->add_option("--workers", o.workers, "Pages run at once")
    ->check(unsigned_integer)
    ->capture_default_str();
  cmd->add_option("--checkpoint", o.checkpoint,
                  "Save the job's progress (its watermark and the pages done beyond it) here");
  cmd->add_option("--checkpoint-every", o.checkpoint_every, "Seconds between checkpoint writes")
    ->capture_default_str();
  cmd->add_option("--resume", o.resume, "Go on from this checkpoint: only pages not done run");
  cmd->add_flag("--accept-changes", o.accept_changes,
                "Resume although the table, key, page size or statement differ from the "
                "checkpoint's");
  cmd->add_option("--max-pages-per-second", o.max_pages_per_second,
                  "Start at most this many pages a second (default: no limit)");
  cmd->add_option("--stats-json", o.stats_json, "Append the job's stats here as JSON Lines");
  cmd->add_flag("--stop-on-failure", o.stop_on_failure,
                "Stop at a page that failed every attempt (default: record it and go on)");
  cmd->add_flag("--no-progress", o.no_progress, "Draw no progress bar");
  cmd->add_flag("-v,--verbose", o.verbose, "Log what the runtime does");
  return cmd;
}

int run_jobs_sqlite(const jobs_sqlite_options& o) {
  set_log_level(o.verbose ? log_level::info : log_level::warning);
  std::optional<sqlite::pages> src;
  job_config cfg;
  job_progress<sqlite::pages_state> from;
  try {
    cfg = make_job_config(o);
    src.emplace(sqlite::pages_params{o.db, o.table, o.key, o.page_size, o.sql});
    if (!o.resume.empty())
      from = load_job_progress(o.resume, *src, {o.accept_changes});
  } catch (const error& e) {
    say(e.what());
    return exit_usage;
  }
  try {
    return run_job(o, std::move(*src), cfg, std::move(from));
  } catch (const error& e) {  // before any page: the checkpoint or stats file
    say(e.what());
    return exit_usage;
  }
}

}  // namespace lockstep::cli
