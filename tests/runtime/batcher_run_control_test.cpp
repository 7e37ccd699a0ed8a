// Run control on real threads: pause and resume, and the live stats.
#include "lockstep/runtime/batcher.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "lockstep/runtime/plain_loop.hpp"
#include "log_capture.hpp"
#include "probe_source.hpp"
#include "take_steps.hpp"
#include "wait.hpp"

namespace lockstep {
namespace {

using namespace std::chrono_literals;
using test::log_capture;
using test::probe_source;
using test::wait_until;

using step_t = step<test::probe_output, synthetic_state>;

const auto s0 = synthetic_state::seeded(7);

config with_workers(std::size_t workers) {
  config c;
  c.workers = workers;
  return c;
}

constexpr auto take_n = [](auto& b, synthetic_state s, int n,
                        std::atomic<int>* taken = nullptr) {
  return test::take_steps(b, s, n, taken);
};

std::vector<step_t> expected(synthetic_state from, int n) {
  plain_loop ref{probe_source{}};
  return take_n(ref, from, n);
}

// While paused, take() gets no more than was issued before the pause (the
// window) and then waits; resume() goes on with the same sequence.
TEST(batcher_run_control, pause_holds_new_work_and_resume_continues_the_sequence) {
  log_capture quiet;
  auto p = std::make_shared<test::probe>();
  batcher b{probe_source{{}, p}, with_workers(2)};
  auto first = take_n(b, s0, 5);
  ASSERT_EQ(first, expected(s0, 5));
  b.pause();
  EXPECT_TRUE(b.status().paused);
  EXPECT_EQ(b.status().status, run_status::running);

  std::atomic<int> taken{0};
  auto rest = std::async(std::launch::async, [&] { return take_n(b, first.back().state, 40, &taken); });
  // The window bounds what was issued before the pause; a negative check
  // needs a bound in time: 40 trivial batches take microseconds.
  EXPECT_FALSE(wait_until([&] { return taken.load() >= 40; }, 300ms));
  EXPECT_LE(static_cast<std::size_t>(taken.load()), 2 * b.window());
  auto iterated = p->iterations.load();
  EXPECT_LE(static_cast<std::size_t>(iterated), 5 + 2 * b.window());

  b.resume();
  EXPECT_FALSE(b.status().paused);
  ASSERT_EQ(rest.wait_for(30s), std::future_status::ready);
  auto all = expected(s0, 45);
  EXPECT_EQ(rest.get(), std::vector<step_t>(all.begin() + 5, all.end()));
}

// A take with another state while paused restarts the run paused: nothing
// of the new run is issued until resume().
TEST(batcher_run_control, a_restart_while_paused_stays_paused) {
  log_capture quiet;
  auto p = std::make_shared<test::probe>();
  batcher b{probe_source{{}, p}, with_workers(2)};
  ASSERT_EQ(take_n(b, s0, 3), expected(s0, 3));
  b.pause();
  auto other = synthetic_state::seeded(99);
  auto next = std::async(std::launch::async, [&] { return take_n(b, other, 3); });
  ASSERT_TRUE(wait_until([&] { return b.stats().restarts == 2; }));
  EXPECT_TRUE(b.status().paused);
  EXPECT_FALSE(wait_until([&] { return b.stats().issued > 0; }, 300ms));
  b.resume();
  ASSERT_EQ(next.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(next.get(), expected(other, 3));
}

// A batcher paused before its first take starts paused and runs on resume.
TEST(batcher_run_control, paused_before_the_start_runs_on_resume) {
  batcher b{probe_source{}, with_workers(1)};
  b.pause();
  b.pause();  // idempotent
  auto first = std::async(std::launch::async, [&] { return take_n(b, s0, 2); });
  ASSERT_TRUE(wait_until([&] { return b.status().status == run_status::running; }));
  EXPECT_EQ(b.stats().issued, 0u);
  b.resume();
  b.resume();
  ASSERT_EQ(first.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(first.get(), expected(s0, 2));
}

// set_workers while batches are in flight, and across a restart: the
// sequence is the plain loop's, nothing is lost or counted as lost, and the
// pool follows.
TEST(batcher_run_control, set_workers_grows_and_shrinks_the_pool_mid_run) {
  log_capture quiet;
  synthetic_params params;
  params.latency_ms = 0.5;
  params.latency_sigma = 1;  // stragglers: workers hold jobs when they are retired
  auto p = std::make_shared<test::probe>();
  batcher b{probe_source{params, p}, with_workers(2)};
  auto s = s0;
  std::vector<step_t> got;
  auto take_some = [&](int n) {
    for (auto& x : take_n(b, s, n))
      got.push_back(std::move(x));
    s = got.back().state;
  };
  take_some(20);
  b.set_workers(6);
  ASSERT_TRUE(wait_until([&] { return b.pool_size() == 6; }));
  take_some(60);
  b.set_workers(1);
  take_some(30);  // while the five leave
  ASSERT_TRUE(wait_until([&] { return b.pool_size() == 1; }));
  take_some(10);
  EXPECT_EQ(got, expected(s0, 120));

  // A restart while the pool shrinks and grows again.
  b.set_workers(4);
  auto other = synthetic_state::seeded(11);
  auto again = take_n(b, other, 15);
  b.set_workers(2);
  auto rest = take_n(b, again.back().state, 15);
  again.insert(again.end(), rest.begin(), rest.end());
  EXPECT_EQ(again, expected(other, 30));
  ASSERT_TRUE(wait_until([&] { return b.pool_size() == 2; }));
  EXPECT_EQ(b.stats().workers_lost, 0u);
  EXPECT_EQ(b.stats().retries, 0u);
  EXPECT_THROW(b.set_workers(max_workers + 1), error);
  EXPECT_EQ(b.pool_size(), 2u);
}

// config::rampup: one worker at first, all of them in the end.
TEST(batcher_run_control, a_rampup_starts_with_one_worker_and_reaches_the_count) {
  auto cfg = with_workers(4);
  cfg.rampup = 1000ms;
  batcher b{probe_source{}, cfg};
  EXPECT_LT(b.pool_size(), 4u);  // the ramp has a second to go
  EXPECT_EQ(take_n(b, s0, 5), expected(s0, 5));
  ASSERT_TRUE(wait_until([&] { return b.pool_size() == 4; }));
  EXPECT_EQ(take_n(b, s0, 30), expected(s0, 30));  // a restart from s0, exact
}

// A batch held at its worker past stuck_after shows in stats() with its
// index and state, is logged once, and leaves the report when it is done.
TEST(batcher_run_control, a_stuck_batch_is_reported_and_logged_once) {
  log_capture log;
  auto p = std::make_shared<test::probe>();
  p->close_gate({3});
  auto cfg = with_workers(2);
  cfg.stuck_after = 200ms;
  batcher b{probe_source{{}, p}, cfg};
  auto first = take_n(b, s0, 3);
  ASSERT_TRUE(wait_until([&] { return !b.stats().stuck.empty(); }));
  auto s = b.stats();
  EXPECT_EQ(s.stuck.front().index, 3u);
  EXPECT_FALSE(s.stuck.front().state.empty());
  EXPECT_GE(s.stuck.front().age_seconds, 0.2);
  ASSERT_TRUE(s.oldest);
  EXPECT_EQ(s.oldest->index, 3u);
  EXPECT_EQ(s.stuck_reported, 1u);
  p->open_gate();
  auto all = expected(s0, 8);
  EXPECT_EQ(take_n(b, first.back().state, 5), std::vector<step_t>(all.begin() + 3, all.end()));
  ASSERT_TRUE(wait_until([&] { return b.stats().stuck.empty(); }));
  EXPECT_EQ(b.stats().stuck_reported, 1u);
  std::size_t warned = 0;
  for (auto& l : log.lines())
    warned += l.text.find("batch 3 ") != std::string::npos ? 1 : 0;
  EXPECT_EQ(warned, 1u);
}

// A source whose batch 5 blocks on its first attempt until released: a
// straggler only a second attempt gets past.
struct gate {
  std::mutex mtx;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> calls{0};
  void wait() {
    std::unique_lock<std::mutex> lock{mtx};
    cv.wait(lock, [&] { return open; });
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock{mtx};
      open = true;
    }
    cv.notify_all();
  }
};

struct first_attempt_of_5_blocks {
  using state_type = synthetic_state;
  using batch_type = synthetic_batch;
  using output_type = test::probe_output;
  static constexpr std::string_view name = "synthetic";
  probe_source inner;
  std::shared_ptr<gate> g = std::make_shared<gate>();

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    return inner.iterate(s);
  }
  output_type materialize(const batch_type& b) const {
    if (b.index == 5 && g->calls++ == 0)
      g->wait();
    return inner.materialize(b);
  }
};

// Hedging: the client gets past a straggler that would hold it up forever,
// with the plain loop's sequence; the loser's output, when it comes, is
// dropped.
TEST(batcher_run_control, a_hedge_gets_the_client_past_a_straggler) {
  first_attempt_of_5_blocks src;
  auto g = src.g;
  auto cfg = with_workers(3);
  cfg.hedge_after = 20ms;
  batcher b{src, cfg};
  auto first = std::async(std::launch::async, [&] { return take_n(b, s0, 40); });
  if (first.wait_for(30s) != std::future_status::ready) {  // while attempt 1 of 5 blocks
    g->release();
    FAIL() << "the client is still held up by the first attempt of batch 5";
  }
  EXPECT_EQ(first.get(), expected(s0, 40));
  EXPECT_EQ(b.stats().hedges, 1u);
  EXPECT_EQ(b.stats().hedges_won, 1u);
  g->release();
  auto all = expected(s0, 80);
  EXPECT_EQ(take_n(b, all[39].state, 40), std::vector<step_t>(all.begin() + 40, all.end()));
  EXPECT_EQ(b.stats().retries, 0u);
}

// Under heavy-tailed latency, with hedges happening, the sequence is the
// plain loop's.
TEST(batcher_run_control, hedging_keeps_the_sequence_under_heavy_tails) {
  synthetic_params params;
  params.latency_ms = 0.3;
  params.latency_sigma = 1.5;
  auto cfg = with_workers(4);
  batcher b{probe_source{params}, cfg};
  EXPECT_EQ(take_n(b, s0, 400), [&] {
    plain_loop ref{probe_source{params}};
    return take_n(ref, s0, 400);
  }());
  EXPECT_GE(b.stats().hedges, b.stats().hedges_won);
}

// One worker 50x slower than the others: its batches get hedged (an idle
// worker is there whenever it holds the head) and the sequence is the plain
// loop's, whichever attempt wins.
TEST(batcher_run_control, hedging_keeps_the_sequence_with_one_very_slow_worker) {
  synthetic_params params;
  params.latency_ms = 0.5;
  params.slow_worker_factor = 50;
  batcher b{probe_source{params}, with_workers(4)};
  EXPECT_EQ(take_n(b, s0, 300), [&] {
    auto fast = params;  // the same batches, without the wait
    fast.slow_worker_factor = 1;
    plain_loop ref{probe_source{fast}};
    return take_n(ref, s0, 300);
  }());
  EXPECT_GT(b.stats().hedges_won, 0u);
}

// Stats never block and add up while batches are in flight, and count the
// bytes, the client's waits and the recent rate.
TEST(batcher_run_control, stats_add_up_while_running) {
  auto p = std::make_shared<test::probe>();
  synthetic_params params;
  params.latency_ms = 1;  // 600 batches on 3 workers: 200 ms, two rate samples
  probe_source src{params, p};
  batcher b{src, with_workers(3)};
  std::atomic<bool> done{false};
  auto taker = std::async(std::launch::async, [&] {
    auto got = take_n(b, s0, 600);
    done = true;
    return got;
  });
  bool rate_seen = false;
  while (!done) {
    auto s = b.stats();
    ASSERT_EQ(s.run_delivered + s.ahead + s.in_flight, s.issued);
    ASSERT_LE(s.ahead + s.in_flight, b.window());
    rate_seen = rate_seen || s.rate > 0;
    std::this_thread::sleep_for(1ms);  // pacing the polls, not a wait for a result
  }
  ASSERT_EQ(taker.get().size(), 600u);
  auto s = b.stats();
  EXPECT_EQ(s.delivered, 600u);
  EXPECT_EQ(s.run_delivered, 600u);
  EXPECT_EQ(s.bytes_delivered, 600 * sizeof(test::probe_output));
  EXPECT_GT(s.take_wait_seconds, 0.0);
  EXPECT_TRUE(rate_seen || s.rate > 0);
}

}  // namespace
}  // namespace lockstep
