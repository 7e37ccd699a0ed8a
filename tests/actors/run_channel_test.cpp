// The run_channel: one owner for a run's epoch, credit window and status.
#include "lockstep/detail/run_channel.hpp"

#include <chrono>
#include <future>

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

void push_one(run_channel& c, std::uint64_t epoch, delivery d) {
  std::vector<delivery> ds;
  ds.push_back(std::move(d));
  c.push(epoch, ds);
}

// Counts the waker's calls, as the feeder would receive them.
struct wakes {
  std::vector<std::uint64_t> epochs;
  void install(run_channel& c) {
    c.set_waker([this](std::uint64_t e) { epochs.push_back(e); });
  }
};

TEST(run_channel, credit_stops_at_the_window_and_a_pop_frees_it) {
  run_channel c{1};
  wakes w;
  w.install(c);
  c.set_pool(2);  // window 1 + 2
  auto e = c.open();
  EXPECT_TRUE(c.acquire(e, 1));
  EXPECT_TRUE(c.acquire(e, 1));
  EXPECT_TRUE(c.acquire(e, 1));
  EXPECT_FALSE(c.acquire(e, 1));  // the feeder now waits
  EXPECT_TRUE(w.epochs.empty());
  push_one(c, e, delivery::batch(0, {}, {}));
  ASSERT_TRUE(c.pop(e));
  EXPECT_EQ(w.epochs, std::vector<std::uint64_t>{e});  // woken by the pop itself, once
  EXPECT_TRUE(c.acquire(e, 1));
  EXPECT_FALSE(c.acquire(e, 1));
}

TEST(run_channel, a_pop_wakes_the_feeder_only_when_it_waits) {
  run_channel c{4};
  wakes w;
  w.install(c);
  c.set_pool(1);
  auto e = c.open();
  EXPECT_TRUE(c.acquire(e, 1));
  push_one(c, e, delivery::batch(0, {}, {}));
  ASSERT_TRUE(c.try_pop(e));
  EXPECT_TRUE(w.epochs.empty());
}

TEST(run_channel, the_default_buffer_is_twice_the_pool_plus_one) {
  run_channel c;  // no buffer given
  c.set_pool(3);
  EXPECT_EQ(c.buffer(), 7u);
  auto e = c.open();
  std::size_t granted = 0;
  while (c.acquire(e, 1))
    ++granted;
  EXPECT_EQ(granted, 7u + 3u);
  c.set_pool(0);
  EXPECT_EQ(c.buffer(), 1u);
  run_channel fixed{4};
  fixed.set_pool(3);
  EXPECT_EQ(fixed.buffer(), 4u);
}

TEST(run_channel, only_the_live_epoch_counts) {
  run_channel c{1};
  c.set_pool(1);
  auto old = c.open();
  auto e = c.open();
  EXPECT_GT(e, old);
  EXPECT_FALSE(c.live(old));
  EXPECT_FALSE(c.acquire(old, 1));
  push_one(c, old, delivery::batch(0, {}, {}));
  EXPECT_EQ(c.ready(), 0u);
  push_one(c, e, delivery::batch(0, {}, {}));
  EXPECT_EQ(c.ready(), 1u);
  EXPECT_TRUE(c.live(e));
  EXPECT_FALSE(c.live(0));
}

TEST(run_channel, close_wakes_a_waiting_pop_and_kills_the_epoch) {
  run_channel c;
  auto e = c.open();
  auto waiting = std::async(std::launch::async, [&] { return c.pop(e); });
  c.close(run_status::closed);
  EXPECT_FALSE(waiting.get());
  EXPECT_EQ(c.status().status, run_status::closed);
  EXPECT_FALSE(c.live(e));  // workers skip the closed run's jobs
  EXPECT_GT(c.open(), e);
}

TEST(run_channel, stop_only_closes_a_run_that_exists) {
  run_channel c;
  EXPECT_FALSE(c.stop());
  EXPECT_EQ(c.status().status, run_status::stopped);
  c.open();
  EXPECT_TRUE(c.stop());
  EXPECT_FALSE(c.stop());
  EXPECT_EQ(c.status().status, run_status::closed);
}

TEST(run_channel, a_bigger_pool_wakes_a_waiting_feeder) {
  run_channel c{1};
  wakes w;
  w.install(c);
  c.set_pool(1);
  auto e = c.open();
  c.acquire(e, 1);
  c.acquire(e, 1);
  EXPECT_FALSE(c.acquire(e, 1));
  c.set_pool(2);
  EXPECT_EQ(w.epochs, std::vector<std::uint64_t>{e});
  EXPECT_EQ(c.pool_size(), 2u);
  EXPECT_TRUE(c.acquire(e, 1));
}

// Credit by the chunk: a feeder that needs 4 is woken once 4 are free, not
// at every pop; credit it could not use goes back.
TEST(run_channel, a_feeder_waiting_for_a_chunk_is_woken_once_a_chunk_is_free) {
  run_channel c{5};
  wakes w;
  w.install(c);
  c.set_pool(1);  // window 6
  auto e = c.open();
  EXPECT_EQ(c.acquire(e, 100, 4), 6u);
  EXPECT_EQ(c.acquire(e, 100, 4), 0u);  // waits for 4
  for (std::uint64_t i = 0; i < 6; ++i)
    push_one(c, e, delivery::batch(i, {}, {}));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(c.try_pop(e));
  EXPECT_TRUE(w.epochs.empty());  // 3 free: not yet
  ASSERT_TRUE(c.try_pop(e));
  EXPECT_EQ(w.epochs, std::vector<std::uint64_t>{e});
  EXPECT_EQ(c.acquire(e, 2, 4), 2u);  // up to `want`
  c.give_back(e, 2);
  EXPECT_EQ(c.acquire(e, 100, 1), 4u);
  EXPECT_EQ(c.acquire(e, 100, 100), 0u);  // needs more than the window: the whole window
  while (c.try_pop(e))
    ;
  EXPECT_EQ(w.epochs.size(), 1u);  // 2 of 6 free
}

// The byte budget: the window fits the budget at the largest output seen,
// never below pool + 1, never above buffer + pool where a buffer is set.
TEST(run_channel, a_byte_budget_sizes_the_window_by_the_largest_output) {
  run_channel c{std::nullopt, std::size_t{1} << 20};
  c.set_pool(2);
  EXPECT_EQ(c.window_now(), 7u);  // nothing seen yet: 2 x 2 + 1 + 2
  c.note_output_bytes(64);
  EXPECT_EQ(c.window_now(), (std::size_t{1} << 20) / (64 + bookkeeping_bytes));
  c.note_output_bytes(32);  // smaller: the largest stays
  EXPECT_EQ(c.window_now(), (std::size_t{1} << 20) / (64 + bookkeeping_bytes));
  c.note_output_bytes(std::size_t{8} << 20);  // one output over the budget
  EXPECT_EQ(c.window_now(), 3u);
  run_channel capped{10, std::size_t{1} << 20};
  capped.set_pool(2);
  capped.note_output_bytes(64);
  EXPECT_EQ(capped.window_now(), 12u);
  run_channel counted;  // no budget: outputs change nothing
  counted.set_pool(2);
  counted.note_output_bytes(1);
  EXPECT_EQ(counted.window_now(), 7u);
}

TEST(run_channel, counts_runs_and_deliveries) {
  run_channel c{2};
  c.set_pool(1);
  auto e = c.open();
  c.acquire(e, 1);
  push_one(c, e, delivery::batch(0, {}, {}));
  c.pop(e);
  c.open();
  auto s = c.stats();
  EXPECT_EQ(s.restarts, 2u);
  EXPECT_EQ(s.delivered, 1u);
}

// Busy time is what the worker reported plus the job it works on now; the
// first busy fraction is the share of its life so far.
TEST(run_channel, reports_each_worker_with_its_busy_time) {
  run_channel c{2};
  auto now = std::chrono::steady_clock::now();
  using namespace std::chrono_literals;
  c.report_workers({{1, "", 500'000'000, 3, std::nullopt, now - 1s},
                    {2, "h:7", 0, 0, now - 2s, now - 4s}});
  auto s = c.stats();
  ASSERT_EQ(s.workers.size(), 2u);
  EXPECT_EQ(s.workers[0].worker, 1u);
  EXPECT_EQ(s.workers[0].node, "");
  EXPECT_EQ(s.workers[0].jobs, 3u);
  EXPECT_NEAR(s.workers[0].busy_seconds, 0.5, 1e-9);
  EXPECT_NEAR(s.workers[0].busy, 0.5, 0.1);
  EXPECT_EQ(s.workers[1].node, "h:7");
  EXPECT_GE(s.workers[1].busy_seconds, 2.0);  // working on a job for 2 s
  EXPECT_NEAR(s.workers[1].busy, 0.5, 0.1);
  c.report_workers({{2, "h:7", 2'000'000'000, 1, std::nullopt, now - 4s}});
  s = c.stats();
  ASSERT_EQ(s.workers.size(), 1u);  // worker 1 left the pool
  EXPECT_EQ(s.workers[0].worker, 2u);
  EXPECT_NEAR(s.workers[0].busy, 0.5, 0.1);  // its fraction was kept
  c.open();
  c.close(run_status::done);
  EXPECT_EQ(c.stats().workers.size(), 1u);  // the pool outlives runs
}

// A job run: taking batches beyond a slow one frees no credit until the slow
// one is taken, so run-ahead stays within the window.
TEST(run_channel, unordered_credit_is_freed_by_the_watermark) {
  run_channel c{1, std::nullopt, false};
  wakes w;
  w.install(c);
  c.set_pool(2);  // window 3
  auto e = c.open();
  EXPECT_EQ(c.acquire(e, 3), 3u);
  EXPECT_EQ(c.acquire(e, 1), 0u);
  push_one(c, e, delivery::batch(2, {}, {}));
  push_one(c, e, delivery::failure(1, errc::batch_failed, "no", 2));
  ASSERT_TRUE(c.pop(e));
  ASSERT_TRUE(c.pop(e));
  EXPECT_TRUE(w.epochs.empty());
  EXPECT_EQ(c.acquire(e, 1), 0u);  // seq 0 is still out
  push_one(c, e, delivery::batch(0, {}, {}));
  ASSERT_TRUE(c.pop(e));
  EXPECT_EQ(w.epochs, std::vector<std::uint64_t>{e});
  EXPECT_EQ(c.acquire(e, 5), 3u);  // all three freed at once
}

}  // namespace
}  // namespace lockstep::detail
