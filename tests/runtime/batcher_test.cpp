// The contract of BRIEF section 2, line by line, on real threads.
#include "lockstep/runtime/batcher.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <atomic>
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

using test::log_capture;
using test::probe_source;
using test::wait_until;

config with_workers(std::size_t workers) {
  config c;
  c.workers = workers;
  c.retry.first_delay = std::chrono::milliseconds{1};
  return c;
}

synthetic_params finite(std::uint64_t length) {
  synthetic_params p;
  p.length = length;
  return p;
}

const auto s0 = synthetic_state::seeded(2024);

constexpr auto take_n = [](auto& b, synthetic_state s, int n,
                        std::atomic<int>* taken = nullptr) {
  return test::take_steps(b, s, n, taken);
};

// Line 1: any worker count and buffer yields the plain loop's sequence.
TEST(batcher, same_sequence_as_plain_loop_for_any_workers_and_buffer) {
  plain_loop ref{probe_source{}};
  auto expected = take_n(ref, s0, 60);
  for (std::size_t workers : {0, 1, 2, 4, 7}) {
    for (std::size_t buffer : {1, 3, 16}) {
      auto cfg = with_workers(workers);
      cfg.buffer = buffer;
      batcher b{probe_source{}, cfg};
      EXPECT_EQ(take_n(b, s0, 60), expected) << workers << " workers, buffer " << buffer;
    }
  }
}

TEST(batcher, same_sequence_with_log_normal_stragglers) {
  synthetic_params p;
  p.latency_ms = 0.2;
  p.latency_sigma = 1.5;
  plain_loop ref{probe_source{p}};
  batcher b{probe_source{p}, with_workers(4)};
  EXPECT_EQ(take_n(b, s0, 80), take_n(ref, s0, 80));
}

// OndaBatches: never started is stopped; started at construction is running.
TEST(batcher, never_started_is_stopped_and_started_at_construction_is_running) {
  batcher b{probe_source{}, with_workers(1)};
  EXPECT_EQ(b.status().status, run_status::stopped);
  batcher started{probe_source{}, with_workers(1), s0};
  EXPECT_EQ(started.status().status, run_status::running);
  plain_loop ref{probe_source{}};
  EXPECT_EQ(*started.take(s0), *ref.take(s0));
}

// Line 2: a mismatched take restarts (one warning), an in-sync take logs nothing.
TEST(batcher, stale_state_restarts_with_one_warning_and_stays_in_lockstep) {
  log_capture log;
  plain_loop ref{probe_source{}};
  batcher one{probe_source{}, with_workers(1)};
  batcher many{probe_source{}, with_workers(4)};

  auto first_ref = ref.take(s0);
  auto first_one = one.take(s0);
  auto first_many = many.take(s0);
  ASSERT_TRUE(first_ref && first_one && first_many);
  EXPECT_EQ(*first_one, *first_ref);
  EXPECT_EQ(*first_many, *first_ref);
  take_n(one, first_one->state, 3);  // move both services on
  take_n(many, first_many->state, 5);

  log.clear();
  // Taking with s0 again: the services stand elsewhere, so they restart and
  // return the first batch again.
  EXPECT_EQ(*one.take(s0), *first_ref);
  EXPECT_EQ(log.count(log_level::warning), 1u);
  EXPECT_EQ(log.count(log_level::info), 2u);  // stopped, started
  log.clear();
  EXPECT_EQ(*many.take(s0), *first_ref);
  EXPECT_EQ(log.count(log_level::warning), 1u);

  // In sync: no log at all, and ten more rounds stay equal across the three.
  log.clear();
  auto s = first_ref->state;
  for (int round = 0; round < 10; ++round) {
    auto r = ref.take(s);
    auto a = one.take(s);
    auto b = many.take(s);
    ASSERT_TRUE(r && a && b);
    EXPECT_EQ(*a, *r);
    EXPECT_EQ(*b, *r);
    s = r->state;
  }
  EXPECT_TRUE(log.lines().empty());
}

TEST(batcher, restarts_never_leak_a_stale_result) {
  // Hop between states of one sequence, far apart, many times: each take must
  // return exactly the plain loop's batch for the state given.
  plain_loop ref{probe_source{}};
  auto expected = take_n(ref, s0, 40);
  std::vector<synthetic_state> states{s0};
  for (auto& e : expected)
    states.push_back(e.state);
  log_capture quiet;
  batcher b{probe_source{}, with_workers(3)};
  for (int i = 0; i < 200; ++i) {
    auto k = static_cast<std::size_t>((i * 17) % 40);
    auto got = b.take(states[k]);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, expected[k]) << "take #" << i << " from state " << k;
  }
}

// start on a running batcher warns and changes nothing; stop twice is fine.
TEST(batcher, start_while_running_warns_and_stop_is_idempotent) {
  log_capture log;
  batcher b{probe_source{}, with_workers(3)};
  b.start(s0);
  EXPECT_EQ(b.status().status, run_status::running);
  log.clear();
  auto other = synthetic_state::seeded(99);
  b.start(other);
  EXPECT_EQ(log.count(log_level::warning), 1u);
  // Still at s0: taking s0 neither warns nor restarts.
  log.clear();
  plain_loop ref{probe_source{}};
  EXPECT_EQ(*b.take(s0), *ref.take(s0));
  EXPECT_TRUE(log.lines().empty());

  b.stop();
  b.stop();
  EXPECT_EQ(b.status().status, run_status::closed);
  EXPECT_EQ(b.pool_size(), 3u);
  // Usable again after stop: take starts it.
  EXPECT_EQ(*b.take(s0), *ref.take(s0));
  EXPECT_EQ(b.status().status, run_status::running);
}

// Line 3: the caller's state is never mutated.
TEST(batcher, never_mutates_the_callers_state) {
  const auto original = synthetic_state::seeded(5);
  auto s = original;
  batcher b{probe_source{}, with_workers(2)};
  b.start(s);
  EXPECT_EQ(s, original);
  auto next = b.take(s);
  EXPECT_EQ(s, original);
  ASSERT_TRUE(next);
  EXPECT_NE(next->state, original);
}

// Line 4: a finite source ends cleanly for any worker count.
TEST(batcher, finite_source_ends_with_done) {
  plain_loop ref{probe_source{finite(25)}};
  auto expected = take_n(ref, s0, 100);
  ASSERT_EQ(expected.size(), 25u);
  for (std::size_t workers : {0, 1, 4}) {
    batcher b{probe_source{finite(25)}, with_workers(workers)};
    auto got = take_n(b, s0, 100);
    EXPECT_EQ(got, expected) << workers << " workers";
    EXPECT_EQ(b.status().status, run_status::done);
    // Taking with the final state again still says "end".
    EXPECT_FALSE(b.take(got.back().state));
    EXPECT_EQ(b.status().status, run_status::done);
  }
}

// Line 5: a poison batch: all before it in order, a typed error at it.
TEST(batcher, poison_batch_delivers_everything_before_it_then_fails) {
  log_capture quiet;
  synthetic_params p;
  p.poison_index = 7;
  plain_loop ref{probe_source{}};
  auto expected = take_n(ref, s0, 7);
  for (std::size_t workers : {0, 1, 3}) {
    batcher b{probe_source{p}, with_workers(workers)};
    auto s = s0;
    for (int i = 0; i < 7; ++i) {
      auto next = b.take(s);
      ASSERT_TRUE(next);
      EXPECT_EQ(*next, expected[static_cast<std::size_t>(i)]);
      s = next->state;
    }
    try {
      b.take(s);
      FAIL() << "batch 7 should have failed";
    } catch (const batch_error& e) {
      EXPECT_EQ(e.attempts(), 5u);  // 1 + 4 retries
      EXPECT_NE(e.original_message().find("poisoned"), std::string::npos);
      EXPECT_EQ(e.state_json(), boost::json::serialize(boost::json::value_from(s)));
      EXPECT_NE(std::string{e.what()}.find(e.state_json()), std::string::npos);
    }
    auto st = b.status();
    EXPECT_EQ(st.status, run_status::failed);
    EXPECT_NE(st.error.find("poisoned"), std::string::npos);
    b.stop();
    b.stop();
    // A later take with a good state restarts cleanly.
    EXPECT_EQ(*b.take(s0), expected[0]);
  }
}

TEST(batcher, transient_failures_are_retried_and_change_nothing) {
  log_capture quiet;
  synthetic_params p;
  p.fail_first_attempts = 2;
  plain_loop ref{probe_source{}};
  for (std::size_t workers : {0, 1, 3}) {
    batcher b{probe_source{p}, with_workers(workers)};
    EXPECT_EQ(take_n(b, s0, 20), take_n(ref, s0, 20)) << workers << " workers";
    EXPECT_GE(b.stats().retries, 40u);  // two per batch, at least
  }
}

// Line 6 (in-process): a worker actor that dies has its job re-dispatched.
TEST(batcher, dead_worker_job_is_redispatched_and_worker_replaced) {
  log_capture quiet;
  auto p = std::make_shared<test::probe>();
  p->kill_index = 4;
  plain_loop ref{probe_source{}};
  batcher b{probe_source{{}, p}, with_workers(2)};
  EXPECT_EQ(take_n(b, s0, 30), take_n(ref, s0, 30));
  EXPECT_TRUE(p->killed);
  // A hedge may deliver the dead worker's batch before its death is
  // handled: the loss is counted, and the worker replaced, soon after.
  EXPECT_TRUE(wait_until([&] { return b.stats().workers_lost == 1; }));
  EXPECT_TRUE(wait_until([&] { return b.pool_size() == 2; }));
  EXPECT_EQ(b.stats().workers_lost, 1u);
}

// Line 7: at most buffer + workers outputs exist (plus the one the client holds).
TEST(batcher, memory_is_bounded_by_buffer_plus_workers) {
  auto p = std::make_shared<test::probe>();
  auto cfg = with_workers(3);
  cfg.buffer = 4;
  cfg.hedge = false;  // the credit bound alone (a hedge may add max_hedges)
  batcher b{probe_source{{}, p}, cfg};
  auto s = s0;
  for (int i = 0; i < 200; ++i) {
    auto next = b.take(s);
    s = next->state;
    if (i % 20 == 0)  // let the service fill up while the client is slow
      wait_until([&] { return p->materializations.load() >= i + 1 + 4 + 3; });
  }
  EXPECT_LE(p->max_live_outputs.load(), 4 + 3 + 1);
}

// Line 7: a worker is free as soon as it finishes: a stuck batch does not
// idle the pool, the others fill the window.
TEST(batcher, a_slow_batch_does_not_idle_the_other_workers) {
  auto p = std::make_shared<test::probe>();
  p->close_gate({0});
  auto cfg = with_workers(2);
  cfg.buffer = 6;
  batcher b{probe_source{{}, p}, cfg};
  b.start(s0);
  // Batch 0 is stuck; the other worker materializes batches 1..7 meanwhile.
  EXPECT_TRUE(wait_until([&] { return p->materializations.load() == 8; }));
  EXPECT_EQ(p->waiting_at_gate(), 1);
  p->open_gate();
  plain_loop ref{probe_source{}};
  EXPECT_EQ(take_n(b, s0, 10), take_n(ref, s0, 10));
}

// Line 7 again: a job queued behind a stuck one at the same worker is stolen
// by an idle worker instead of waiting for the stuck one.
TEST(batcher, a_job_queued_behind_a_stuck_one_is_stolen) {
  auto p = std::make_shared<test::probe>();
  p->close_gate({0});
  auto cfg = with_workers(2);
  cfg.buffer = 1;  // window 3: seqs 0, 1, 2
  cfg.worker_prefetch = 2;
  batcher b{probe_source{{}, p}, cfg};
  b.start(s0);
  // Whichever worker holds batch 0 may hold batch 2 behind it; all of 1 and
  // 2 must be materialized while 0 stays stuck.
  EXPECT_TRUE(wait_until([&] { return p->materializations.load() == 3; }));
  EXPECT_EQ(p->waiting_at_gate(), 1);
  p->open_gate();
  plain_loop ref{probe_source{}};
  EXPECT_EQ(take_n(b, s0, 10), take_n(ref, s0, 10));
}

// Line 8: nothing is iterated before start.
TEST(batcher, nothing_is_iterated_before_start) {
  auto p = std::make_shared<test::probe>();
  batcher b{probe_source{{}, p}, with_workers(2)};
  EXPECT_EQ(b.status().status, run_status::stopped);
  EXPECT_EQ(p->iterations.load(), 0);
  b.start(s0);
  EXPECT_TRUE(wait_until([&] { return p->iterations.load() > 0; }));
}

// Line 9: stop does not wait for a materialization in progress.
TEST(batcher, stop_abandons_work_in_progress) {
  log_capture quiet;
  auto p = std::make_shared<test::probe>();
  p->close_gate({0, 1, 2});
  batcher b{probe_source{{}, p}, with_workers(3)};
  b.start(s0);
  ASSERT_TRUE(wait_until([&] { return p->waiting_at_gate() == 3; }));
  // Every worker is stuck; stop must return anyway (a hang fails the wait).
  auto stopped = std::async(std::launch::async, [&] { b.stop(); });
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds{10}), std::future_status::ready);
  EXPECT_EQ(b.status().status, run_status::closed);
  p->open_gate();
  plain_loop ref{probe_source{}};
  EXPECT_EQ(take_n(b, s0, 5), take_n(ref, s0, 5));
}

// Line 10: status never blocks, also while take() waits.
TEST(batcher, status_answers_while_take_waits) {
  auto p = std::make_shared<test::probe>();
  p->close_gate({0});
  batcher b{probe_source{{}, p}, with_workers(1)};
  auto taken = std::async(std::launch::async, [&] { return b.take(s0); });
  ASSERT_TRUE(wait_until([&] { return p->waiting_at_gate() == 1; }));
  EXPECT_EQ(b.status().status, run_status::running);
  p->open_gate();
  EXPECT_TRUE(taken.get());
}

TEST(batcher, stop_wakes_a_waiting_take) {
  log_capture quiet;
  auto p = std::make_shared<test::probe>();
  p->close_gate({0});
  batcher b{probe_source{{}, p}, with_workers(1)};
  auto taken = std::async(std::launch::async, [&] { return b.take(s0); });
  ASSERT_TRUE(wait_until([&] { return p->waiting_at_gate() == 1; }));
  b.stop();
  try {
    taken.get();
    FAIL() << "take should have been interrupted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::stopped);
  }
  p->open_gate();
}

// Line 11: an invalid config is refused with a message naming the field.
TEST(batcher, invalid_config_names_the_field) {
  auto cfg = with_workers(1);
  cfg.buffer = 0;
  try {
    batcher b{probe_source{}, cfg};
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    EXPECT_NE(std::string{e.what()}.find("buffer"), std::string::npos);
  }
}

}  // namespace
}  // namespace lockstep
