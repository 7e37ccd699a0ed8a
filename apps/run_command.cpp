#include "run_command.hpp"

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "cli_checks.hpp"
#include "digest_log.hpp"
#include "lockstep/detail/node_process.hpp"
#include "lockstep/lockstep.hpp"
#include "node_command.hpp"
#include "progress.hpp"
#include "signal_watcher.hpp"
#include "lockstep/signals/subjects.hpp"
#include "stats_log.hpp"

namespace lockstep::cli {

namespace {

bool same_path(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty())
    return false;
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec))
    return true;
  return std::filesystem::weakly_canonical(a, ec) == std::filesystem::weakly_canonical(b, ec);
}

/// --checkpoint: written at once with the state the run starts from (so a
/// place it cannot be written is refused before any batch, and a run killed
/// before its first batch resumes where it began), then debounced.
template <source S>
std::unique_ptr<checkpointer<S>> start_checkpoints(const S& src,
                                                 const typename S::state_type& state,
                                                 std::uint64_t index, const run_options& o) {
  if (o.checkpoint.empty())
    return nullptr;
  for (auto& [other, option] : {std::pair{o.digests, "--digests"},
                                std::pair{o.stats_json, "--stats-json"}})
    if (same_path(o.checkpoint, other))
      throw error(errc::invalid_config, fmt::format("--checkpoint {} is the file {} writes",
                                                    o.checkpoint, option));
  try {
    save_checkpoint(o.checkpoint, src, state, index);
  } catch (const error& e) {
    throw error(errc::invalid_config, fmt::format("--checkpoint: {}", e.what()));
  }
  return std::make_unique<checkpointer<S>>(
    src, o.checkpoint, std::chrono::nanoseconds{std::llround(o.checkpoint_every * 1e9)});
}

// What one step means for the digests and the checkpoint index: a batch of
// its own for a plain source; for a rank's share, its global batch (or the
// batch of its part) and the global position after the step, which a
// checkpoint records so any world size resumes it.
template <source S>
std::uint64_t line_index(const S&, std::uint64_t index) {
  return index;
}
template <source S>
std::uint64_t line_index(const rank_share<S>& share, std::uint64_t index) {
  return share.spec().mode == shard_mode::interleave ? index + share.spec().rank : index;
}
template <source S>
std::uint64_t index_after(const S&, const typename S::state_type&, std::uint64_t index) {
  return index + 1;
}
template <source S>
std::uint64_t index_after(const rank_share<S>& share, const typename S::state_type& state,
                          std::uint64_t index) {
  // The interleave tail may hold fewer than R batches: the state knows.
  return detail::index_in<S>(state).value_or(index + share.stride());
}
template <class Out>
const Out* engaged(const Out& out) {
  return &out;
}
template <class Out>
const Out* engaged(const std::optional<Out>& out) {
  return out ? &*out : nullptr;
}

/// Streams batches of `src` from `state` through a batcher, writing digests
/// and drawing progress. `report` measures each output (bytes(), add()) and
/// adds its own words to the summary line (summary()). Returns an exit status.
template <source S, class Report>
int stream(S src, typename S::state_type state, std::uint64_t index, const config& cfg,
           const run_options& o, Report& report) {
  // Checked (and its temporary file created) before the first batch.
  digest_log digests{o.digests, o.resume};
  stats_log stats_file{o.stats_json, o.stats_every, o.resume};
  auto ck = start_checkpoints(src, state, index, o);
  // Declared before the watcher, so that the watcher ends (joins its thread)
  // before the batcher it may stop is destroyed; a late signal only stops it
  // again, so the digests are still published.
  std::optional<batcher<S>> b;
  std::atomic<batcher<S>*> live{nullptr};
  // Before any thread: the watcher's signals are blocked in all of them.
  signal_watcher interrupt{[&live, &digests](int signo) {
    if (auto* b = live.load())
      return b->stop();
    // Still starting (e.g. waiting for nodes to print their address): end
    // now, as the signal would have. The node processes started so far end
    // too (SIGTERM to their process groups); no batch was written.
    digests.discard();
    detail::end_node_processes();
    die_of(signo);
  }};
  b.emplace(std::move(src), cfg);
  live = &*b;
  progress bar{o.batches, !o.no_progress && isatty(fileno(stderr)),
               [&] { return std::pair{b->stats(), b->status().paused}; }};
  auto sample = [&] {
    return stats_sample{bar.seconds(), bar.batches(), b->pool_size(), b->stats(), b->status()};
  };
  int status = exit_ok;
  try {
    while (!o.batches || bar.batches() < *o.batches) {
      if (interrupt.fired())
        break;
      auto next = b->take(state);
      if (!next)
        break;
      auto after = index_after(b->source(), next->state, index);
      // A masked step (a rank past the end of a finite source) has no line.
      if (auto* out = engaged(next->output); out && digests.enabled()) {
        digests.write(line_index(b->source(), index), encode(*out),
                      checkpoint_text(b->source(), next->state, after));
        if (digests.broken_pipe())
          break;
      }
      report.add(next->output);
      bar.add(report.bytes(next->output));
      if (stats_file.due(bar.seconds()))
        stats_file.write(sample());
      state = std::move(next->state);
      index = after;
      if (ck)
        ck->offer(state, index);
    }
  } catch (const batch_error& e) {
    bar.finish();
    std::fprintf(stderr, "lockstep run: %s\n", e.what());
    status = exit_failed;
  } catch (const error& e) {
    bar.finish();
    if (!interrupt.fired()) {
      std::fprintf(stderr, "lockstep run: %s\n", e.what());
      status = exit_failed;
    }
  }
  if (interrupt.fired())
    status = 128 + interrupt.signal();
  else if (digests.broken_pipe())
    status = 128 + SIGPIPE;  // quietly, as a filter whose reader went away
  auto last = sample();
  b->stop();
  bar.finish();
  try {
    stats_file.write(last);
    if (ck)
      ck->stop();  // the last state taken, if not written yet
    digests.commit(status == exit_failed);
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep run: %s\n", e.what());
    status = exit_failed;
  }
  auto stats = b->stats();
  // With the digests on stdout, the summary goes to stderr.
  std::fprintf(
    digests.to_stdout() ? stderr : stdout, "%s\n",
    fmt::format("lockstep run: {} batches in {:.2f} s: {:.0f} batches/s, {}; "
                "{} workers, buffer {}, {} retries{}{}{}",
                bar.batches(), bar.seconds(),
                bar.seconds() > 0 ? static_cast<double>(bar.batches()) / bar.seconds() : 0.0,
                mb_per_s(bar.bytes(), bar.seconds()), b->pool_size(), b->buffer(), stats.retries,
                report.summary(bar.seconds()),
                ck ? fmt::format("; {} checkpoint writes to {}", ck->writes(), ck->file())
                   : std::string{},
                interrupt.fired() || digests.broken_pipe() ? " (interrupted)" : "")
      .c_str());
  return status;
}

/// A source's report, for the steps of a rank's share: masked steps count
/// no bytes and no labels.
template <class Report>
struct share_report {
  Report& inner;
  rank_spec spec;
  std::uint64_t masked = 0;

  template <class Out>
  std::uint64_t bytes(const std::optional<Out>& out) const {
    return out ? inner.bytes(*out) : 0;
  }
  template <class Out>
  void add(const std::optional<Out>& out) {
    if (out)
      inner.add(*out);
    else
      ++masked;
  }
  std::string summary(double seconds) const {
    return fmt::format("; rank {} of {} ({}), {} steps past the end{}", spec.rank,
                       spec.world_size, to_string(spec.mode), masked, inner.summary(seconds));
  }
};

/// Streams `src` from a fresh state seeded with --seed, or from --resume.
template <source S, class Report>
int start_source(S src, const config& cfg, const run_options& o, Report& report) {
  auto state = S::state_type::seeded(o.seed.value_or(0));
  std::uint64_t index = 0;
  if (!o.resume.empty()) {
    auto saved = load_checkpoint(o.resume, src, resume_options{o.accept_changes});
    if (!saved.changed.empty())
      std::fprintf(stderr, "lockstep run: warning: --accept-changes: %s\n", saved.changed.c_str());
    state = std::move(saved.state);
    index = saved.index;
  }
  return stream(std::move(src), state, index, cfg, o, report);
}

/// start_source, or with --world-size, start_source of this rank's share.
template <source S, class Report>
int run_source(S src, const config& cfg, const run_options& o, Report& report) {
  if (!o.world_size)
    return start_source(std::move(src), cfg, o, report);
  if (!cfg.remote.nodes.empty() || cfg.remote.spawn > 0)
    throw error(errc::invalid_config, "--world-size: a rank runs on local workers; --nodes and "
                                      "--spawn-nodes are not supported with ranks yet");
  auto rank = o.rank.value_or(0);
  if (rank >= *o.world_size)
    throw error(errc::invalid_config,
                fmt::format("--rank {} is not below --world-size {}", rank, *o.world_size));
  rank_spec spec{rank, *o.world_size, parse_shard_mode(o.shard)};
  rank_share<S> share{std::move(src), spec};
  share_report<Report> r{report, spec};
  return start_source(std::move(share), cfg, o, r);
}

struct synthetic_report {
  std::uint64_t bytes(const synthetic_output& out) const { return out.bytes.size(); }
  void add(const synthetic_output&) {}
  std::string summary(double) const { return {}; }
};

/// Counts the windows and labels streamed: "; 6400 windows (2100/s); labels
/// W 20.1% N1 5.3% ...".
struct signals_report {
  std::array<std::uint64_t, 256> counts{};
  std::uint64_t total = 0;
  std::uint64_t windows = 0;

  std::uint64_t bytes(const signals::labeled_batch& out) const {
    return out.x.values.size() * sizeof(float) + out.y.values.size();
  }
  void add(const signals::labeled_batch& out) {
    for (auto code : out.y.values)
      ++counts[code];
    total += out.y.values.size();
    windows += out.items.size();
  }
  std::string summary(double seconds) const {
    if (total == 0)
      return {};
    std::string text = fmt::format("; {} windows ({:.0f}/s); labels", windows,
                                   seconds > 0 ? static_cast<double>(windows) / seconds : 0.0);
    for (std::size_t code = 0; code < counts.size(); ++code) {
      if (counts[code] == 0)
        continue;
      auto name = signals::stage_name(static_cast<std::uint8_t>(code));
      text += fmt::format(" {} {:.1f}%", name.empty() ? std::to_string(code) : std::string{name},
                          100.0 * static_cast<double>(counts[code]) / static_cast<double>(total));
    }
    return text;
  }
};

int run_synthetic(const run_options& o, const config& cfg) {
  if (!o.batches && !o.synthetic.length)
    throw error(errc::invalid_config, "give --batches K (the synthetic source is infinite "
                                      "unless --length N ends it)");
  synthetic_report report;
  return run_source(synthetic{o.synthetic}, cfg, o, report);
}

/// Counts what was streamed: "; 1200 of 12000 combinations x runs".
struct grid_report {
  std::uint64_t length = 0, taken = 0;
  std::uint64_t bytes(const grid_output& out) const { return 8 * out.at.size(); }
  void add(const grid_output&) { ++taken; }
  std::string summary(double) const {
    return fmt::format("; {} of the grid's {} combinations x runs", taken, length);
  }
};

int run_grid(const run_options& o, const config& cfg) {
  if (o.grid.axes.empty())
    throw error(errc::invalid_config, "--source grid needs --axes N[,N...] (each list's length)");
  grid src{o.grid};
  grid_report report{src.length()};
  return run_source(std::move(src), cfg, o, report);
}

int run_signals(run_options o, const config& cfg) {
  if (o.dataset.empty())
    throw error(errc::invalid_config, "--source signals needs --dataset DIR (make one with "
                                      "lockstep make-dataset DIR)");
  o.signals.order = signals::parse_window_order(o.order);
  o.preparation.scaling = signals::parse_scaling(o.scaling);
  const bool pass = o.signals.order == signals::window_order::sequential;
  if (!o.batches && !pass)
    throw error(errc::invalid_config, "give --batches K (the signals source is infinite "
                                      "unless --order sequential)");
  auto data = signals::dataset::open(o.dataset, o.preparation);
  if (!o.validation.empty())
    signals::check_disjoint_subjects(*data, *signals::dataset::open(o.validation));
  signals::random_batches src{data, o.signals};
  std::uint64_t epochs = 0;
  for (auto& r : data->recordings())
    epochs += r.labels.size();
  auto& prep = data->options();
  std::string how;
  if (prep.scaling != signals::scaling::none)
    how += fmt::format(", {} scaling", signals::scaling_name(prep.scaling));
  if (prep.crop_wake_minutes)
    how += fmt::format(", wake cropped to {} min", signals::format_number(*prep.crop_wake_minutes));
  if (o.signals.sequence_epochs)
    how += fmt::format(", as sequences of {} epochs", *o.signals.sequence_epochs);
  if (pass)
    how += fmt::format("; one ordered pass of {} windows", src.pass_windows());
  std::fprintf(o.digests == "-" ? stderr : stdout, "%s\n",
               fmt::format("lockstep run: dataset {}: {} recordings, {} labeled {} s epochs; "
                           "windows of {} s: {} channels x {} samples at {} Hz{}",
                           o.dataset, data->recordings().size(), epochs,
                           signals::format_number(data->options().epoch_seconds),
                           signals::format_number(static_cast<double>(src.window_epochs())
                                                  * data->options().epoch_seconds),
                           src.channels(), src.window_samples(),
                           signals::format_number(data->sample_rate()), how)
                 .c_str());
  std::fflush(stdout);
  signals_report report;
  return run_source(std::move(src), cfg, o, report);
}

}  // namespace

config make_config(const run_options& o) {
  auto cfg = o.config_file.empty() ? config{} : read_config(o.config_file);
  // The command frees batches on another thread than the workers that made
  // them; one arena keeps peak memory at the bound (config::tune_allocator).
  cfg.tune_allocator = true;
  // The library refuses these too (config::validate); here the message names
  // the option.
  auto at_most = [](std::uint64_t n, std::uint64_t max, const char* option) {
    if (n > max)
      throw error(errc::invalid_config,
                  fmt::format("{} is {}; at most {} are supported", option, n, max));
  };
  if (o.workers) {
    at_most(*o.workers, max_workers, "--workers");
    cfg.workers = *o.workers;
  }
  if (o.buffer) {
    at_most(*o.buffer, max_buffer, "--buffer");
    cfg.buffer = o.buffer;
  }
  if (o.buffer_bytes) {
    if (*o.buffer_bytes == 0)
      throw error(errc::invalid_config, "--buffer-bytes must be at least 1");
    at_most(*o.buffer_bytes, max_buffer_bytes, "--buffer-bytes");
    cfg.buffer_bytes = o.buffer_bytes;
  }
  if (o.retries) {
    at_most(*o.retries, max_retries, "--retries");
    cfg.retry.max_retries = *o.retries;
  }
  if (o.spawn_nodes)
    at_most(*o.spawn_nodes, max_spawned_nodes, "--spawn-nodes");
  if (o.retry_delay_ms) {
    if (!(*o.retry_delay_ms >= 0 && *o.retry_delay_ms <= 1e9))
      throw error(errc::invalid_config, "--retry-delay-ms must be a number of milliseconds in [0, 1e9]");
    cfg.retry.first_delay = std::chrono::nanoseconds{std::llround(*o.retry_delay_ms * 1e6)};
    cfg.retry.max_delay = std::max(cfg.retry.max_delay, cfg.retry.first_delay);
  }
  auto& r = cfg.remote;
  if (!o.nodes.empty())
    r.nodes = o.nodes;
  if (!o.token_file.empty())
    r.token = read_token_file(o.token_file);
  if (o.spawn_nodes)
    r.spawn = *o.spawn_nodes;
  r.node_program = detail::current_program();
  if (!o.node_launch.empty())
    r.launch = o.node_launch;
  if (o.no_worker_timeout_s)
    r.no_worker_timeout = seconds_to_ms(*o.no_worker_timeout_s, "--no-worker-timeout");
  if (o.heartbeat_s)
    r.heartbeat_interval = seconds_to_ms(*o.heartbeat_s, "--heartbeat");
  if (o.connection_timeout_s)
    r.connection_timeout = seconds_to_ms(*o.connection_timeout_s, "--connection-timeout");
  if (o.shm_bytes) {
    if (*o.shm_bytes != 0 && *o.shm_bytes < (std::size_t{1} << 20))
      throw error(errc::invalid_config, "--shm-bytes must be 0 (off) or at least 1048576 (1 MiB)");
    at_most(*o.shm_bytes, std::size_t{1} << 40, "--shm-bytes");
    r.shm_bytes = *o.shm_bytes;
  }
  cfg.validate();
  return cfg;
}

CLI::App* add_run_command(CLI::App& app, run_options& o) {
  const config defaults;
  auto* cmd = app.add_subcommand("run", "Stream batches from a source, in order");
  cmd
    ->add_option("--source", o.source,
                 "Which source: synthetic, signals (labeled EDF windows) or grid (every "
                 "combination of several lists)")
    ->check(CLI::IsMember({"synthetic", "signals", "grid"}))
    ->capture_default_str();
  auto* seed = cmd->add_option("--seed", o.seed, "Start from a fresh state seeded with N")
                 ->check(unsigned_integer);
  auto* resume =
    cmd->add_option("--resume", o.resume, "Continue from a saved state (a JSON checkpoint)");
  seed->excludes(resume);
  cmd->add_flag("--accept-changes", o.accept_changes,
                "With --resume: go on even though the source's parameters or data differ "
                "from those the state was saved with (the batches then differ too)")
    ->needs(resume);
  cmd->add_option("--batches", o.batches, "Stop after K batches (with ranks: K steps)")
    ->check(unsigned_integer);
  auto* world = cmd->add_option("--world-size", o.world_size,
                                "Run as one of N ranks of a data-parallel job: each takes its "
                                "share of one global stream (docs/ranks.md)")
                  ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cmd->add_option("--rank", o.rank, "With --world-size: this process's rank, 0 to N - 1")
    ->check(unsigned_integer)
    ->needs(world);
  cmd->add_option("--shard", o.shard,
                  "With --world-size: interleave (rank r takes global batches r, r + N, ...) "
                  "or split (a contiguous part of every batch; signals only)")
    ->check(CLI::IsMember({"interleave", "split"}))
    ->needs(world)
    ->capture_default_str();
  cmd->add_option("--digests", o.digests, "Write one JSON line per batch: index, digest, state");
  cmd->add_flag("--no-progress", o.no_progress, "Draw no progress bar");
  cmd->add_option("--stats-json", o.stats_json,
                  "Append the run's stats to FILE as JSON Lines, every --stats-every seconds "
                  "and at the end (scripts/plot-stats draws them)");
  cmd->add_option("--stats-every", o.stats_every, "Seconds between two --stats-json lines")
    ->check(CLI::PositiveNumber)
    ->capture_default_str();
  auto* checkpoint = cmd->add_option(
    "--checkpoint", o.checkpoint,
    "Save the state after the last batch taken to FILE (atomically), at most once every "
    "--checkpoint-every seconds and when the run ends; --resume FILE continues from it");
  cmd->add_option("--checkpoint-every", o.checkpoint_every,
                  "Seconds between two --checkpoint writes at most")
    ->check(CLI::Range(0.001, 86400.0))
    ->capture_default_str()
    ->needs(checkpoint);
  cmd->add_flag("--verbose", o.verbose, "Log run starts and stops, nodes joining and leaving");
  cmd->add_option("--config", o.config_file,
                  "A JSON config (docs/configuration.md); the options below override it");
  cmd
    ->add_option("--workers", o.workers,
                 "Local worker threads (0: no workers, one stand-in "
                 "materializes)")
    ->check(unsigned_integer)
    ->default_str(std::to_string(defaults.workers));
  cmd->add_option("--buffer", o.buffer, "Batches held ahead of the client")
    ->check(unsigned_integer)
    ->default_str("2W+1");
  cmd
    ->add_option("--buffer-bytes", o.buffer_bytes,
                 "A byte budget for what is materialized and in flight (lets the window hold "
                 "more small batches)")
    ->check(unsigned_integer)
    ->default_str("none");
  cmd->add_option("--retries", o.retries, "Retries of a failing batch")
    ->check(unsigned_integer)
    ->default_str(std::to_string(defaults.retry.max_retries));
  cmd->add_option("--retry-delay-ms", o.retry_delay_ms, "Delay before the first retry")
    ->default_str(std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(defaults.retry.first_delay).count()));
  cmd->add_option("--nodes", o.nodes, "Remote nodes to use, HOST:PORT[,HOST:PORT...]")
    ->delimiter(',');
  cmd->add_option("--token-file", o.token_file, "File holding the token the nodes require");
  cmd
    ->add_option("--spawn-nodes", o.spawn_nodes,
                 "Start N local node processes and use them (ended with the run)")
    ->check(unsigned_integer);
  cmd
    ->add_option("--shm-bytes", o.shm_bytes,
                 "Shared memory offered to each node on this host for its outputs (0: off)")
    ->check(unsigned_integer)
    ->default_str(std::to_string(defaults.remote.shm_bytes));
  cmd->add_option("--node-launch", o.node_launch,
                  "A shell command that starts a node and prints its 'listening on' line "
                  "(repeatable)");
  cmd
    ->add_option("--no-worker-timeout", o.no_worker_timeout_s,
                 "Seconds to wait for a worker before failing")
    ->default_str(ms_as_seconds(defaults.remote.no_worker_timeout));
  cmd->add_option("--heartbeat", o.heartbeat_s, "Seconds between heartbeats to nodes")
    ->default_str(ms_as_seconds(defaults.remote.heartbeat_interval));
  cmd
    ->add_option("--connection-timeout", o.connection_timeout_s,
                 "Seconds of silence after which a node is lost")
    ->default_str(ms_as_seconds(defaults.remote.connection_timeout));
  auto& s = o.synthetic;
  std::vector<std::pair<std::string, CLI::Option*>> source_only;
  auto only = [&](const char* source, std::vector<CLI::Option*> options) {
    for (auto* opt : options)
      source_only.emplace_back(source, opt);
  };
  only("synthetic", {
    cmd->add_option("--item-bytes", s.item_bytes, "synthetic: bytes per batch")
      ->check(unsigned_integer)
      ->capture_default_str(),
    cmd->add_option("--latency-ms", s.latency_ms, "synthetic: wait per batch (fractions allowed)"),
    cmd->add_option("--latency-sigma", s.latency_sigma,
                    "synthetic: log-normal latency with this sigma (median --latency-ms)"),
    cmd->add_option("--poison-index", s.poison_index, "synthetic: this batch fails every attempt")
      ->check(unsigned_integer),
    cmd
      ->add_option("--fail-first-attempts", s.fail_first_attempts,
                   "synthetic: every batch fails its first K attempts")
      ->check(unsigned_integer),
    cmd->add_option("--length", s.length, "synthetic: end after N batches (default: infinite)")
      ->check(unsigned_integer),
    cmd
      ->add_option("--crash-index", s.crash_index,
                   "synthetic, fault injection: the first process to materialize this batch "
                   "crashes (SIGSEGV)")
      ->check(unsigned_integer),
    cmd->add_option("--crash-file", s.crash_file,
                    "synthetic, fault injection: the marker file --crash-index creates"),
    cmd->add_option("--slow-worker", s.slow_worker_factor,
                    "synthetic: one worker is this many times slower than the others")});
  auto& g = o.signals;
  only("signals", {
    cmd->add_option("--dataset", o.dataset,
                    "signals: a directory of EDF recordings (X-PSG.edf with X-Hypnogram.edf) "
                    "or a JSON manifest"),
    cmd->add_option("--batch-size", g.batch_size, "signals: windows per batch")
      ->check(unsigned_integer)
      ->capture_default_str(),
    cmd
      ->add_option("--window-seconds", g.window_seconds,
                   "signals: window length, a whole number of 30 s epochs")
      ->capture_default_str(),
    cmd
      ->add_option("--n-channels", g.n_channels,
                   "signals: channels drawn per window (default: all)")
      ->check(unsigned_integer),
    cmd->add_option("--channels", o.preparation.channels,
                    "signals: the channels to read, by name (e.g. Fpz-Cz,Pz-Oz; \"Fpz-Cz\" "
                    "matches \"EEG Fpz-Cz\"), in this order (default: the fastest signals)")
      ->delimiter(','),
    cmd->add_option("--sample-rate", o.preparation.sample_rate,
                    "signals: resample every channel to HZ (default: their own rate, which "
                    "must be one)"),
    cmd->add_option("--scaling", o.scaling,
                    "signals: none, robust (median and IQR per recording and channel, "
                    "clipped at --clip IQRs) or zscore")
      ->check(CLI::IsMember({"none", "robust", "zscore"}))
      ->capture_default_str(),
    cmd->add_option("--clip", o.preparation.clip, "signals: robust scaling clips at K IQRs")
      ->capture_default_str(),
    cmd->add_option("--sequence-epochs", g.sequence_epochs,
                    "signals: windows of K consecutive epochs, x as [batch][K][channel][samples]")
      ->check(unsigned_integer),
    cmd->add_option("--crop-wake-minutes", o.preparation.crop_wake_minutes,
                    "signals: keep the epochs from N minutes before the first sleep epoch to "
                    "N after the last"),
    cmd->add_option("--order", o.order,
                    "signals: random (endless draws) or sequential (every window once, in "
                    "recording order, then the end)")
      ->check(CLI::IsMember({"random", "sequential"}))
      ->capture_default_str(),
    cmd->add_option("--validation", o.validation,
                    "signals: a validation dataset (directory or manifest); refused if it shares "
                    "a subject with --dataset")});
  only("grid", {cmd->add_option("--axes", o.grid.axes,
                                "grid: the length of each list, e.g. 10,20,30 (every combination "
                                "is one batch)")
                  ->delimiter(',')
                  ->check(unsigned_integer),
                cmd->add_option("--runs", o.grid.runs, "grid: each combination this many times")
                  ->check(unsigned_integer)
                  ->capture_default_str(),
                cmd->add_option("--shuffle", o.grid.shuffle,
                                "grid: all combinations in a random order seeded with SEED "
                                "(default: in order)")
                  ->check(unsigned_integer)});
  // Options of another source are mistakes, not no-ops.
  cmd->callback([&o, source_only] {
    for (auto& [source, opt] : source_only)
      if (opt->count() > 0)
        o.source_only.emplace_back(source, opt->get_name());
  });
  return cmd;
}

int run(const run_options& o) {
  set_log_level(o.verbose ? log_level::info : log_level::warning);
  try {
    for (auto& [source, option] : o.source_only)
      if (source != o.source)
        throw error(errc::invalid_config, option + " does not apply to --source " + o.source);
    if (o.source == "grid" && o.seed)
      throw error(errc::invalid_config, "--seed does not apply to --source grid (a grid starts "
                                        "at its first combination; --shuffle SEED mixes them)");
    const bool ordered_pass = o.source == "signals" && o.order == "sequential";
    if (o.source != "grid" && !ordered_pass && !o.seed && o.resume.empty())
      throw error(errc::invalid_config, "give --seed N for a fresh start or --resume STATE.json");
    auto cfg = make_config(o);
    if (o.source == "grid")
      return run_grid(o, cfg);
    return o.source == "signals" ? run_signals(o, cfg) : run_synthetic(o, cfg);
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep run: %s\n", e.what());
    return exit_usage;
  }
}

}  // namespace lockstep::cli
