// lockstep::job_runner — every page of a source done at least once, in the order pages finish. API.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lockstep/detail/job_source.hpp"
#include "lockstep/detail/service.hpp"
#include "lockstep/detail/source_adapter.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/status.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/checkpointer.hpp"
#include "lockstep/runtime/config.hpp"
#include "lockstep/runtime/job_progress.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep {

/// What a job does when a page fails every attempt.
enum class on_failure {
  go_on,  ///< record it (progress().failed) and go on; the watermark passes it
  stop,   ///< stop the job: next() throws, the watermark stays before the page
};

struct job_config {
  /// Workers, retries, rampup, hedging, as for a batcher. `run.buffer` is
  /// not used: max_ahead takes its place.
  config run{};
  /// Pages issued beyond the first page not done: how far ahead of a slow
  /// page work may run, and so the most done pages a checkpoint lists. With
  /// the pool, at most max_ahead + workers pages are out at once.
  std::size_t max_ahead = 512;
  /// Pages started per second, at most (0: no limit).
  double max_pages_per_second = 0;
  on_failure failures = on_failure::go_on;
  /// A checkpoint file, written by a checkpointer at most once per
  /// checkpoint_every (and at start, and when the runner stops); "" for none.
  std::string checkpoint;
  std::chrono::nanoseconds checkpoint_every = std::chrono::seconds{5};

  /// Throws lockstep::error(invalid_config) naming the bad field.
  void validate() const;
};

/// A page as next() reports it.
template <class Output>
struct job_page {
  std::uint64_t index = 0;        ///< its position in the job
  std::optional<Output> output;   ///< nullopt: it failed every attempt
  std::string error;              ///< the last attempt's error, for a failed page
  std::uint32_t attempts = 0;     ///< for a failed page
};

/// The job's progress saved in `file` (a job checkpoint, or a batcher's
/// checkpoint: its state is a watermark with nothing beyond it), checked
/// against `src` as load_checkpoint checks a state.
template <source S>
job_progress<typename S::state_type> load_job_progress(const std::string& file, const S& src,
                                                       resume_options options = {}) {
  using progress = job_progress<typename S::state_type>;
  std::optional<progress> p;
  auto parsed =
    detail::parse_checkpoint(detail::read_state_file(file), file, detail::owner_of(src), options,
                             &detail::erased_from_json<progress>, &p);
  detail::check_index(file, parsed.index, detail::index_in<S>(p->watermark));
  p->index = parsed.index;
  return std::move(*p);
}

/// Runs a source's pages for their side effects (batch-orchestra's pipelined
/// pagination): iterate names the pages in order, as for a batcher; the
/// pages are materialized in parallel and reported as they finish, so
/// nothing waits on a slow page.
///
///     lockstep::job_runner job{my_pages{...}, {.run = {.workers = 4}, .checkpoint = "job.json"}};
///     job.start(lockstep::load_job_progress("job.json", job.source()));  // or start(initial)
///     while (auto page = job.next())
///       if (!page->output) log(page->index, page->error);
///
/// Guarantees: every page is materialized at least once (a retried, hedged
/// or lost page may run twice, so its work must be idempotent); a page that
/// fails every attempt is recorded with the state before it and the run
/// goes on or stops (job_config::failures). progress() is a checkpoint: the
/// watermark is the state before the first page not settled, so it never
/// passes a page that was not done, and the pages done beyond it are listed;
/// a job started from it runs only the pages not known done.
///
/// Threads: start() and next() from one thread at a time; stop(), pause(),
/// resume(), set_workers() and the observers from any thread.
template <source S>
class job_runner {
 public:
  using state_type = typename S::state_type;
  using output_type = typename S::output_type;
  using progress_type = job_progress<state_type>;
  using page_type = job_page<output_type>;

  /// A stopped runner. Throws lockstep::error(invalid_config).
  explicit job_runner(S src, job_config cfg = {})
      : cfg_((cfg.validate(), std::move(cfg))),
        shared_(std::make_shared<detail::job_shared>(cfg_.max_pages_per_second)),
        adapter_(std::make_shared<detail::source_adapter<wrapped>>(
          wrapped{std::move(src), shared_})),
        service_(std::make_unique<detail::service>(adapter_, run_config(cfg_), false)) {}

  ~job_runner() {
    try {
      stop();
    } catch (...) {  // a failed last checkpoint write: nobody left to tell
    }
  }
  job_runner(const job_runner&) = delete;
  job_runner& operator=(const job_runner&) = delete;

  /// Starts from `from` (a running job is stopped first). With a checkpoint
  /// file, writes `from` to it before any page runs (throws
  /// lockstep::error(io_error) naming it when it cannot be written).
  void start(progress_type from) {
    service_->stop();
    shared_->pacing.reset();
    progress_ = std::move(from);
    complete_ = false;
    ahead_.clear();
    next_seq_ = 0;
    for (auto offset : progress_.done_ahead) {
      if (offset >= ahead_.size())
        ahead_.resize(offset + 1);
      ahead_[offset].what = slot::done_before;
    }
    shared_->set_done(std::move(progress_.done_ahead));
    progress_.done_ahead.clear();  // ahead_ holds them now
    if (!cfg_.checkpoint.empty()) {
      checkpointer_.reset();  // an earlier run's writes its last
      save_progress();
      checkpointer_.emplace(detail::owner_of(source()), cfg_.checkpoint, cfg_.checkpoint_every);
    }
    start_state_ = {progress_.watermark, 0};
    service_->start(adapter_->borrow(start_state_));
  }
  /// start() from a state, with nothing done beyond it.
  void start(const state_type& s) {
    start(progress_type{s, detail::index_in<S>(s).value_or(0), {}, {}});
  }

  /// The next page to finish, done or failed every attempt (pages known
  /// done when the job started are not reported); nullopt once every page
  /// is settled. Throws lockstep::error when the job cannot go on: stopped,
  /// iterate failed, no worker left, a page failed with on_failure::stop
  /// (errc::batch_failed), or a checkpoint write failed (errc::io_error).
  std::optional<page_type> next() {
    while (!complete_) {
      auto d = service_->next();
      if (!d) {
        complete_ = true;
        offer();
        break;
      }
      auto off = static_cast<std::size_t>(d->seq - next_seq_);
      if (off >= ahead_.size())
        ahead_.resize(off + 1);
      auto& s = ahead_[off];
      std::uint64_t index = progress_.index + off;
      if (d->what == detail::delivery::kind::failure) {
        if (cfg_.failures == on_failure::stop) {
          service_->stop();
          offer();
          throw error(errc::batch_failed, "page " + std::to_string(index) + " failed after "
                                            + std::to_string(d->attempts)
                                            + " attempts: " + d->error);
        }
        s.what = slot::failed;
        s.error = d->error;
        s.attempts = d->attempts;
        page_type page{index, std::nullopt, std::move(d->error), d->attempts};
        advance();
        offer();
        return page;
      }
      auto& out = *static_cast<typename wrapped::output_type*>(d->output.get());
      s.what = slot::done;
      s.after = detail::source_adapter<wrapped>::state(d->state_after).inner;
      std::optional<output_type> output = std::move(out.inner);
      advance();
      if (!output)
        continue;  // done before: nothing to report
      offer();
      return page_type{index, std::move(output), {}, 0};
    }
    return std::nullopt;
  }

  /// Where the job stands now: a complete checkpoint (save it with the
  /// checkpoint file, or keep it and start() from it).
  progress_type progress() const {
    auto p = progress_;
    for (std::size_t i = 0; i < ahead_.size(); ++i)
      if (ahead_[i].what == slot::done || ahead_[i].what == slot::done_before)
        p.done_ahead.push_back(i);
    return p;
  }
  /// Every page settled (next() returned nullopt).
  bool complete() const noexcept { return complete_; }

  /// Stops within milliseconds (pages being materialized finish unseen) and
  /// writes the last progress to the checkpoint file. Idempotent.
  void stop() {
    shared_->pacing.cancel();
    service_->stop();
    if (checkpointer_)
      checkpointer_->stop();
  }
  void pause() { service_->pause(); }
  void resume() { service_->resume(); }
  void set_workers(std::size_t n) { service_->set_workers(n); }
  status_report status() const { return service_->status(); }
  run_stats stats() const { return service_->stats(); }
  std::size_t pool_size() const { return service_->pool_size(); }
  std::size_t window() const { return service_->window(); }
  /// Checkpoint files written (the one at start included).
  std::uint64_t checkpoint_writes() const {
    return (checkpointer_ ? checkpointer_->writes() : 0) + start_writes_;
  }
  const S& source() const noexcept { return adapter_->get().inner(); }

 private:
  using wrapped = detail::job_source<S>;
  struct slot {
    enum kind { pending, done, done_before, failed } what = pending;
    std::optional<state_type> after;  // done: the state after the page
    std::string error;
    std::uint32_t attempts = 0;
  };

  static config run_config(const job_config& c) {
    auto run = c.run;
    run.buffer = c.max_ahead;
    return run;
  }

  // Moves the watermark over the settled pages at its front. A failed page
  // has no state after it from a worker: iterate (cheap) gives it.
  void advance() {
    while (!ahead_.empty()) {
      auto& s = ahead_.front();
      if (s.what == slot::pending || s.what == slot::done_before)
        return;
      if (s.what == slot::failed) {
        auto step = source().iterate(progress_.watermark);
        progress_.failed.push_back(
          {progress_.index, progress_.watermark, std::move(s.error), s.attempts});
        s.after = std::move(step->second);  // the page exists: iterate named it
      }
      progress_.watermark = std::move(*s.after);
      ++progress_.index;
      ahead_.pop_front();
      ++next_seq_;
    }
  }

  void offer() {
    if (checkpointer_)
      checkpointer_->offer(progress(), progress_.index);
  }

  void save_progress() {
    auto p = progress();
    detail::write_file_atomically(
      cfg_.checkpoint,
      detail::checkpoint_text(detail::owner_of(source()), p.index,
                              &detail::erased_to_json<progress_type>, &p)
        + "\n");
    ++start_writes_;
  }

  job_config cfg_;
  std::shared_ptr<detail::job_shared> shared_;
  std::shared_ptr<detail::source_adapter<wrapped>> adapter_;
  std::unique_ptr<detail::service> service_;
  progress_type progress_{};          // the watermark; done_ahead is in ahead_
  std::deque<slot> ahead_;            // ahead_[i]: the page i after the watermark
  std::uint64_t next_seq_ = 0;        // the run's seq of ahead_[0]
  bool complete_ = false;
  typename wrapped::state_type start_state_{};
  std::optional<detail::basic_checkpointer<progress_type>> checkpointer_;
  std::uint64_t start_writes_ = 0;
};

}  // namespace lockstep
