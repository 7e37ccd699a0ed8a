// The job mode: every page at least once, reported as it finishes, a
// watermark checkpoint that never passes a page not done, failures recorded.
#include "lockstep/runtime/job_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log_capture.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace lockstep {
namespace {

using namespace std::chrono_literals;

// What the pages did, shared by the copies of the source.
struct ledger {
  explicit ledger(std::size_t pages) : runs(pages) {}
  std::vector<std::atomic<int>> runs;  // materializations per page
  std::uint64_t held = UINT64_MAX;     // this page waits until released
  std::uint64_t broken = UINT64_MAX;   // this page always fails
  std::mutex mtx;
  std::condition_variable cv;
  bool released = false;
  void release() {
    {
      std::lock_guard<std::mutex> guard{mtx};
      released = true;
    }
    cv.notify_all();
  }
};

// Pages 0..n-1; the state is the next page's index.
struct numbered_pages {
  using state_type = std::uint64_t;
  using batch_type = std::uint64_t;
  using output_type = std::uint64_t;
  static constexpr std::string_view name = "numbered_pages";
  std::shared_ptr<ledger> book;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> iterate(std::uint64_t s) const {
    if (s >= book->runs.size())
      return std::nullopt;
    return std::pair{s, s + 1};
  }
  std::uint64_t materialize(std::uint64_t page) const {
    ++book->runs[page];
    if (page == book->broken)
      throw permanent_error("page " + std::to_string(page) + " is broken");
    if (page == book->held) {
      std::unique_lock<std::mutex> guard{book->mtx};
      book->cv.wait(guard, [&] { return book->released; });
    }
    return page * 10;
  }
  static std::uint64_t index_of(std::uint64_t s) { return s; }
};

job_config with_workers(std::size_t w) {
  job_config c;
  c.run.workers = w;
  return c;
}

// Runs the job to its end; the pages reported, in order.
std::vector<std::uint64_t> drain(job_runner<numbered_pages>& job) {
  std::vector<std::uint64_t> got;
  while (auto page = job.next())
    got.push_back(page->index);
  return got;
}

TEST(job_runner, a_slow_page_holds_up_nothing_and_the_watermark_waits_for_it) {
  test::log_capture quiet;
  auto book = std::make_shared<ledger>(200);
  book->held = 3;
  job_runner job{numbered_pages{book}, with_workers(4)};
  job.start(std::uint64_t{0});
  std::vector<std::uint64_t> got;
  while (got.size() < 30) {  // page 3 is held: thirty others finish first
    auto page = job.next();
    ASSERT_TRUE(page);
    ASSERT_TRUE(page->output);
    EXPECT_EQ(*page->output, page->index * 10);
    got.push_back(page->index);
  }
  // Never past the page not done (pages chunked with it into one job wait
  // with it); every page reported is below the watermark or listed beyond.
  auto mid = job.progress();
  std::set<std::uint64_t> seen(got.begin(), got.end());
  EXPECT_LE(mid.watermark, 3u);
  EXPECT_EQ(mid.index, mid.watermark);
  for (std::uint64_t i = 0; i < mid.watermark; ++i)
    EXPECT_EQ(seen.count(i), 1u) << "page " << i;
  for (auto offset : mid.done_ahead) {
    EXPECT_NE(mid.watermark + offset, 3u);
    EXPECT_EQ(seen.count(mid.watermark + offset), 1u) << "offset " << offset;
  }
  EXPECT_EQ(mid.watermark + mid.done_ahead.size(), 30u);
  book->release();
  auto rest = drain(job);
  got.insert(got.end(), rest.begin(), rest.end());
  std::set<std::uint64_t> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), 200u);
  EXPECT_EQ(got.size(), 200u);  // each reported once
  for (auto& n : book->runs)
    EXPECT_GE(n.load(), 1);
  EXPECT_TRUE(job.complete());
  auto done = job.progress();
  EXPECT_EQ(done.watermark, 200u);
  EXPECT_TRUE(done.done_ahead.empty());
}

TEST(job_runner, a_page_that_always_fails_is_recorded_by_state_and_error) {
  test::log_capture quiet;
  auto book = std::make_shared<ledger>(50);
  book->broken = 7;
  job_runner job{numbered_pages{book}, with_workers(3)};
  job.start(std::uint64_t{0});
  std::vector<job_page<std::uint64_t>> failed;
  std::size_t pages = 0;
  while (auto page = job.next()) {
    ++pages;
    if (!page->output)
      failed.push_back(*page);
  }
  EXPECT_EQ(pages, 50u);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].index, 7u);
  EXPECT_NE(failed[0].error.find("page 7 is broken"), std::string::npos);
  auto p = job.progress();
  EXPECT_EQ(p.watermark, 50u);  // the run went on past it
  ASSERT_EQ(p.failed.size(), 1u);
  EXPECT_EQ(p.failed[0].index, 7u);
  EXPECT_EQ(p.failed[0].state, 7u);  // start there to redo it
  EXPECT_EQ(p.failed[0].attempts, 1u);
  EXPECT_NE(p.failed[0].error.find("broken"), std::string::npos);
}

TEST(job_runner, with_on_failure_stop_the_job_stops_before_the_failed_page) {
  test::log_capture quiet;
  auto book = std::make_shared<ledger>(50);
  book->broken = 7;
  auto cfg = with_workers(2);
  cfg.failures = on_failure::stop;
  job_runner job{numbered_pages{book}, cfg};
  job.start(std::uint64_t{0});
  try {
    drain(job);
    FAIL() << "the failed page did not stop the job";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::batch_failed);
    EXPECT_NE(std::string{e.what()}.find("page 7"), std::string::npos) << e.what();
  }
  auto p = job.progress();
  EXPECT_LE(p.watermark, 7u);
  EXPECT_TRUE(p.failed.empty());
  EXPECT_FALSE(job.complete());
}

TEST(job_runner, a_resumed_job_runs_only_the_pages_not_known_done) {
  test::log_capture quiet;
  auto book = std::make_shared<ledger>(20);
  job_runner job{numbered_pages{book}, with_workers(3)};
  job.start(job_progress<std::uint64_t>{10, 10, {0, 2, 5}, {}});
  auto got = drain(job);
  std::set<std::uint64_t> reported(got.begin(), got.end());
  EXPECT_EQ(reported, (std::set<std::uint64_t>{11, 13, 14, 16, 17, 18, 19}));
  for (std::uint64_t i = 0; i < 20; ++i) {
    bool should_run = reported.count(i) == 1;
    if (should_run)
      EXPECT_GE(book->runs[i].load(), 1) << "page " << i;
    else
      EXPECT_EQ(book->runs[i].load(), 0) << "page " << i;
  }
  EXPECT_EQ(job.progress().watermark, 20u);
}

TEST(job_runner, its_checkpoint_file_round_trips_the_watermark_the_pages_ahead_and_failures) {
  test::log_capture quiet;
  test::temp_dir dir;
  auto file = (dir.path() / "job.json").string();
  auto book = std::make_shared<ledger>(40);
  book->held = 2;
  book->broken = 5;
  auto cfg = with_workers(4);
  cfg.checkpoint = file;
  cfg.checkpoint_every = 1h;  // leading edge, then only the stop's write
  job_runner job{numbered_pages{book}, cfg};
  job.start(std::uint64_t{0});
  EXPECT_EQ(load_job_progress(file, job.source()).watermark, 0u);  // written before any page
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(job.next());
  auto mid = job.progress();
  job.stop();  // writes the latest offered
  auto saved = load_job_progress(file, job.source());
  EXPECT_EQ(saved, mid);
  EXPECT_LE(saved.watermark, 2u);  // page 2 is held
  EXPECT_GE(job.checkpoint_writes(), 2u);

  // Resumed by another runner: every page not done runs, the rest does not.
  book->release();
  std::vector<int> before;
  for (auto& n : book->runs)
    before.push_back(n.load());
  job_runner again{numbered_pages{book}, cfg};
  again.start(saved);
  auto got = drain(again);
  for (std::uint64_t i = 0; i < 40; ++i) {
    bool known_done = i < saved.watermark
                      || std::count(saved.done_ahead.begin(), saved.done_ahead.end(),
                                    i - saved.watermark) == 1;
    if (known_done)
      EXPECT_EQ(book->runs[i].load(), before[i]) << "page " << i << " ran again";
    else
      EXPECT_GT(book->runs[i].load(), before[i]) << "page " << i << " did not run";
  }
  again.stop();
  auto last = load_job_progress(file, again.source());
  EXPECT_EQ(last.watermark, 40u);
  EXPECT_TRUE(last.done_ahead.empty());
  ASSERT_EQ(last.failed.size(), 1u);  // page 5 failed in one of the runs
  EXPECT_EQ(last.failed[0].state, 5u);
}

TEST(job_runner, a_plain_checkpoint_resumes_a_job_and_a_bad_one_is_refused) {
  test::log_capture quiet;
  test::temp_dir dir;
  auto file = (dir.path() / "state.json").string();
  auto book = std::make_shared<ledger>(10);
  numbered_pages src{book};
  save_checkpoint(file, src, std::uint64_t{4}, 4);
  auto p = load_job_progress(file, src);
  EXPECT_EQ(p, (job_progress<std::uint64_t>{4, 4, {}, {}}));
  save_checkpoint(file, src, std::uint64_t{4}, 3);  // its index disagrees with its state
  EXPECT_THROW(load_job_progress(file, src), error);
}

TEST(job_runner, the_rate_limit_spaces_the_pages_out) {
  test::log_capture quiet;
  auto book = std::make_shared<ledger>(21);
  auto cfg = with_workers(4);
  cfg.max_pages_per_second = 200;  // 5 ms apart
  job_runner job{numbered_pages{book}, cfg};
  auto t0 = std::chrono::steady_clock::now();
  job.start(std::uint64_t{0});
  EXPECT_EQ(drain(job).size(), 21u);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);  // 20 intervals at least
}

TEST(job_runner, pause_and_set_workers_apply) {
  test::log_capture quiet;
  auto book = std::make_shared<ledger>(100);
  job_runner job{numbered_pages{book}, with_workers(1)};
  job.pause();
  job.start(std::uint64_t{0});
  std::this_thread::sleep_for(50ms);  // an absence: no page may start while paused
  for (auto& n : book->runs)
    EXPECT_EQ(n.load(), 0);
  EXPECT_TRUE(job.status().paused);
  job.set_workers(3);
  ASSERT_TRUE(test::wait_until([&] { return job.pool_size() == 3; }));
  job.resume();
  EXPECT_EQ(drain(job).size(), 100u);
}

TEST(job_runner, bad_settings_are_refused_by_name) {
  auto book = std::make_shared<ledger>(1);
  auto refused = [&](job_config c, const std::string& name) {
    try {
      job_runner job{numbered_pages{book}, c};
      ADD_FAILURE() << name << " was accepted";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      EXPECT_NE(std::string{e.what()}.find(name), std::string::npos) << e.what();
    }
  };
  job_config c;
  c.max_ahead = 0;
  refused(c, "max_ahead");
  c = {};
  c.max_pages_per_second = -1;
  refused(c, "max_pages_per_second");
  c = {};
  c.run.buffer = 4;
  refused(c, "run.buffer");
}

}  // namespace
}  // namespace lockstep
