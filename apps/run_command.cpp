#include "run_command.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/digest.hpp"
#include "lockstep/runtime/encode.hpp"
#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/log.hpp"
#include "progress.hpp"

namespace lockstep::cli {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_signal(int) {
  interrupted = true;
}

/// The digests file: JSON Lines written to FILE.tmp and renamed to FILE when
/// the run ends (also after a failure), so FILE is never half-written.
class digest_log {
 public:
  explicit digest_log(const std::string& path) : path_(path) {
    if (path_.empty())
      return;
    tmp_ = path_;
    tmp_ += ".tmp";
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
    if (!out_)
      throw error(errc::io_error, path_.string() + ": cannot be written");
  }

  bool enabled() const { return !path_.empty(); }

  void write(std::uint64_t index, const std::vector<char>& bytes, const checkpoint& after) {
    boost::json::object line{{"index", index}, {"digest", digest_hex(bytes)},
                             {"state", to_json(after)}};
    out_ << boost::json::serialize(line) << '\n';
  }

  void commit() {
    if (!enabled())
      return;
    out_.close();
    std::error_code ec;
    std::filesystem::rename(tmp_, path_, ec);
    if (ec)
      throw error(errc::io_error, path_.string() + ": cannot be written (" + ec.message() + ")");
  }

  ~digest_log() {
    if (enabled() && out_.is_open()) {
      out_.close();
      std::error_code ignored;
      std::filesystem::remove(tmp_, ignored);
    }
  }

 private:
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::ofstream out_;
};

/// Streams batches of `src` from `state` through a batcher, writing digests
/// and drawing progress. Returns an exit status.
template <source S, class SizeOf>
int stream(S src, typename S::state_type state, std::uint64_t index, const config& cfg,
           const run_options& o, SizeOf size_of) {
  digest_log digests{o.digests};
  batcher<S> b{std::move(src), cfg};
  progress bar{o.batches, !o.no_progress && isatty(fileno(stderr))};
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  int status = exit_ok;
  try {
    while (!o.batches || bar.batches() < *o.batches) {
      if (interrupted) {
        status = exit_interrupted;
        break;
      }
      auto next = b.take(state);
      if (!next)
        break;
      auto& [output, after] = *next;
      if (digests.enabled())
        digests.write(index, encode(output), make_checkpoint<S>(after, index + 1));
      bar.add(size_of(output));
      state = std::move(after);
      ++index;
    }
  } catch (const batch_error& e) {
    bar.finish();
    std::fprintf(stderr, "lockstep run: %s\n", e.what());
    status = exit_failed;
  } catch (const error& e) {
    bar.finish();
    std::fprintf(stderr, "lockstep run: %s\n", e.what());
    status = exit_failed;
  }
  b.stop();
  bar.finish();
  digests.commit();
  auto stats = b.stats();
  std::printf("%s\n", fmt::format("lockstep run: {} batches in {:.2f} s: {:.0f} batches/s, {}; "
                                  "{} workers, buffer {}, {} retries{}",
                                  bar.batches(), bar.seconds(),
                                  bar.seconds() > 0 ? static_cast<double>(bar.batches()) / bar.seconds() : 0.0,
                                  mb_per_s(bar.bytes(), bar.seconds()), cfg.workers,
                                  cfg.effective_buffer(), stats.retries,
                                  status == exit_interrupted ? " (interrupted)" : "")
                        .c_str());
  return status;
}

config make_config(const run_options& o) {
  config cfg;
  cfg.workers = o.workers;
  cfg.buffer = o.buffer;
  cfg.retry.max_retries = o.retries;
  if (!(o.retry_delay_ms >= 0))
    throw error(errc::invalid_config, "--retry-delay-ms must be >= 0");
  cfg.retry.first_delay = std::chrono::nanoseconds{static_cast<std::int64_t>(o.retry_delay_ms * 1e6)};
  cfg.retry.max_delay = std::max(cfg.retry.max_delay, cfg.retry.first_delay);
  cfg.validate();
  return cfg;
}

// CLI11's NonNegativeNumber names the whole double range in its message.
const CLI::Validator non_negative{
  [](std::string& text) {
    return !text.empty() && text.front() == '-' ? std::string{"must not be negative, got "} + text
                                                : std::string{};
  },
  "NON-NEGATIVE"};

}  // namespace

CLI::App* add_run_command(CLI::App& app, run_options& o) {
  auto* cmd = app.add_subcommand("run", "Stream batches from a source, in order");
  cmd->add_option("--source", o.source, "Which source: synthetic")
    ->check(CLI::IsMember({"synthetic"}));
  auto* seed = cmd->add_option("--seed", o.seed, "Start from a fresh state seeded with N");
  auto* resume = cmd->add_option("--resume", o.resume,
                                 "Continue from a saved state (a JSON checkpoint)");
  seed->excludes(resume);
  cmd->add_option("--batches", o.batches, "Stop after K batches")->check(non_negative);
  cmd->add_option("--workers", o.workers, "Local worker threads (0: no workers, the manager "
                                          "materializes)")
    ->check(non_negative)
    ->capture_default_str();
  cmd->add_option("--buffer", o.buffer, "Batches held ahead of the client (default 2W+1)")
    ->check(non_negative);
  cmd->add_option("--retries", o.retries, "Retries of a failing batch")
    ->check(non_negative)
    ->capture_default_str();
  cmd->add_option("--retry-delay-ms", o.retry_delay_ms, "Delay before the first retry")
    ->capture_default_str();
  cmd->add_option("--digests", o.digests, "Write one JSON line per batch: index, digest, state");
  cmd->add_flag("--no-progress", o.no_progress, "Draw no progress bar");
  cmd->add_flag("--verbose", o.verbose, "Log run starts and stops");
  auto& s = o.synthetic;
  cmd->add_option("--item-bytes", s.item_bytes, "synthetic: bytes per batch")
    ->check(non_negative)
    ->capture_default_str();
  cmd->add_option("--latency-ms", s.latency_ms, "synthetic: wait per batch (fractions allowed)");
  cmd->add_option("--latency-sigma", s.latency_sigma,
                  "synthetic: log-normal latency with this sigma (median --latency-ms)");
  cmd->add_option("--poison-index", s.poison_index, "synthetic: this batch fails every attempt")
    ->check(non_negative);
  cmd->add_option("--fail-first-attempts", s.fail_first_attempts,
                  "synthetic: every batch fails its first K attempts")
    ->check(non_negative);
  cmd->add_option("--length", s.length, "synthetic: end after N batches (default: infinite)")
    ->check(non_negative);
  return cmd;
}

int run(const run_options& o) {
  logger()->set_level(o.verbose ? spdlog::level::info : spdlog::level::warn);
  try {
    if (!o.seed && o.resume.empty())
      throw error(errc::invalid_config, "give --seed N for a fresh start or --resume STATE.json");
    if (!o.batches && !o.synthetic.length)
      throw error(errc::invalid_config, "give --batches K (the synthetic source is infinite "
                                        "unless --length N ends it)");
    auto cfg = make_config(o);
    synthetic src{o.synthetic};
    auto state = synthetic_state::seeded(o.seed.value_or(0));
    std::uint64_t index = 0;
    if (!o.resume.empty()) {
      auto c = read_checkpoint(o.resume);
      state = restore_state<synthetic>(c, o.resume);
      index = c.index;
    }
    return stream(std::move(src), state, index, cfg, o,
                  [](const synthetic_output& out) { return out.bytes.size(); });
  } catch (const error& e) {
    std::fprintf(stderr, "lockstep run: %s\n", e.what());
    return exit_usage;
  }
}

}  // namespace lockstep::cli
