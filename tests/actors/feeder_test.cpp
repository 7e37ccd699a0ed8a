// The feeder under CAF's test coordinator, with scripted fake workers.
#include "lockstep/detail/feeder.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "coordinator.hpp"
#include "lockstep/detail/collector.hpp"
#include "typed_source.hpp"

namespace lockstep::detail {
namespace {

using namespace std::chrono_literals;

// What the fake workers saw: (worker, seq, attempt).
struct job_log {
  std::vector<std::tuple<int, std::uint64_t, std::uint32_t>> jobs;
  std::set<std::pair<std::uint64_t, std::uint32_t>> fail;       // (seq, attempt) that fail
  std::set<std::pair<std::uint64_t, std::uint32_t>> permanent;  // ... and fail for good
  std::set<int> holding;  // workers that keep their jobs until released
  // Every job as it came: (first seq, attempt, batches).
  std::vector<std::tuple<std::uint64_t, std::uint32_t, std::size_t>> chunks;

  int attempts_of(std::uint64_t seq) const {
    return static_cast<int>(
      std::count_if(jobs.begin(), jobs.end(), [&](auto& j) { return std::get<1>(j) == seq; }));
  }
};

struct release {};

// A worker speaking the worker protocol: answers a job at once, or holds it
// until it gets `release`. It reports `busy_ns` per batch of a job.
caf::behavior fake_worker(caf::event_based_actor* self, int name, std::shared_ptr<job_log> log,
                          msg::collector_actor collector, std::uint64_t busy_ns) {
  auto held = std::make_shared<std::vector<msg::job>>();
  auto answer = [=](const msg::job& j) {
    msg::result r{j.epoch, j.seq(), j.attempt, {}, {}, busy_ns * j.items.size(),
                  static_cast<std::uint32_t>(j.items.size()), self->address()};
    for (auto& item : j.items) {
      bool permanent = log->permanent.count({item.seq, j.attempt}) > 0;
      if (permanent || log->fail.count({item.seq, j.attempt}) > 0)
        r.failures.push_back({item.seq, permanent, "injected"});
      else
        r.outputs.push_back({item.seq, std::make_shared<int>(0), item.state_after});
    }
    self->send(collector, std::move(r));
  };
  return {
    [=](const msg::job& j) {
      log->chunks.emplace_back(j.seq(), j.attempt, j.items.size());
      for (auto& item : j.items)
        log->jobs.emplace_back(name, item.seq, j.attempt);
      if (log->holding.count(name) > 0)
        held->push_back(j);
      else
        answer(j);
    },
    [=](release) {
      log->holding.erase(name);
      auto jobs = std::move(*held);
      held->clear();
      for (auto& j : jobs)
        answer(j);
    },
  };
}

struct feeder_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<test::probe> probe = std::make_shared<test::probe>();
  std::shared_ptr<run_channel> channel;
  std::shared_ptr<job_log> log = std::make_shared<job_log>();
  msg::collector_actor col;
  msg::feeder_actor feed;
  std::vector<caf::actor> workers;
  std::uint64_t epoch = 0;
  std::optional<std::chrono::nanoseconds> stuck_after;
  bool hedge = true;
  std::optional<std::chrono::nanoseconds> hedge_after;
  std::vector<std::string> warnings;

  void spawn(std::size_t n_workers, std::optional<std::size_t> buffer, retry_policy retry = {},
             std::size_t issue_limit = 256, std::uint32_t max_items = 1,
             std::uint64_t busy_ns = 0) {
    channel = std::make_shared<run_channel>(buffer);
    col = env.sys.spawn(collector, channel);
    feeder_config fc{test::make_adapter({}, probe), channel, col, retry, issue_limit};
    fc.stuck_after = stuck_after;
    fc.hedge = hedge;
    fc.hedge_after = hedge_after;
    fc.log = [this](event_level level, const std::string& line) {
      if (level == event_level::warning)
        warnings.push_back(line);
    };
    feed = env.sys.spawn(feeder, std::move(fc));
    channel->set_waker([f = feed](std::uint64_t e) { caf::anon_send(f, msg::credit_returned{e}); });
    channel->set_pool(n_workers);
    for (std::size_t i = 0; i < n_workers; ++i) {
      workers.push_back(env.sys.spawn(fake_worker, static_cast<int>(i), log, col, busy_ns));
      caf::anon_send(feed, msg::worker_joined{caf::actor_cast<msg::worker_actor>(workers.back()),
                                              1, max_items});
    }
    env.run();
  }

  void begin() {
    epoch = channel->open();
    caf::anon_send(col, msg::begin_run{epoch, {}});
    caf::anon_send(
      feed,
      msg::begin_run{epoch, std::make_shared<const synthetic_state>(synthetic_state::seeded(1))});
    env.run();
  }

  void release_worker(int i) {
    caf::anon_send(workers[static_cast<std::size_t>(i)], release{});
    env.run();
  }

  // Takes what is ready, then lets the feeder refill what the pops freed.
  std::vector<std::uint64_t> drain() {
    std::vector<std::uint64_t> seqs;
    while (auto d = channel->try_pop(epoch))
      seqs.push_back(d->seq);
    env.run();
    return seqs;
  }

  ~feeder_test() override {
    for (auto& w : workers)
      caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(feed, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(col, caf::exit_reason::user_shutdown);
    env.run();
  }
};

retry_policy no_jitter(std::chrono::milliseconds first = 50ms, std::uint32_t retries = 4) {
  retry_policy r;
  r.first_delay = first;
  r.jitter = 0;
  r.max_retries = retries;
  return r;
}

TEST_F(feeder_test, iterates_nothing_before_begin_run) {
  spawn(2, 3);
  EXPECT_EQ(probe->iterations.load(), 0);
  begin();
  EXPECT_GT(probe->iterations.load(), 0);
}

TEST_F(feeder_test, issues_no_more_than_the_credit_window) {
  spawn(2, 3);
  begin();
  EXPECT_EQ(probe->iterations.load(), 5);  // buffer 3 + 2 workers
  EXPECT_EQ(log->jobs.size(), 5u);
  EXPECT_EQ(drain(), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  // Taking freed the window; the feeder refilled it.
  EXPECT_EQ(probe->iterations.load(), 10);
}

// Pause: what workers hold finishes and is delivered; nothing more goes
// out, also when taking frees credit or a new run begins, until resume.
TEST_F(feeder_test, a_paused_feeder_hands_out_nothing_until_resumed) {
  log->holding = {0, 1};
  spawn(2, 3);
  begin();
  EXPECT_EQ(log->jobs.size(), 2u);  // one job a worker, the rest waits
  auto iterated = probe->iterations.load();
  EXPECT_GT(iterated, 2);
  channel->pause();
  release_worker(0);
  release_worker(1);
  EXPECT_EQ(drain(), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(log->jobs.size(), 2u);
  EXPECT_EQ(probe->iterations.load(), iterated);
  EXPECT_TRUE(channel->status().paused);
  EXPECT_EQ(channel->status().status, run_status::running);

  channel->resume();
  env.run();
  EXPECT_FALSE(channel->status().paused);
  std::vector<std::uint64_t> got;
  for (int round = 0; round < 10 && got.size() < 10; ++round)
    for (auto seq : drain())
      got.push_back(seq);
  ASSERT_GE(got.size(), 10u);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], i + 2);
}

TEST_F(feeder_test, a_run_begun_while_paused_stays_paused) {
  spawn(2, 3);
  channel->pause();
  begin();
  EXPECT_EQ(probe->iterations.load(), 0);
  EXPECT_TRUE(log->jobs.empty());
  EXPECT_TRUE(channel->status().paused);
  channel->resume();
  env.run();
  auto got = drain();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front(), 0u);
}

// A retired worker finishes the job it holds (delivered in order), takes
// nothing new, and the run goes on with the others.
TEST_F(feeder_test, a_retired_worker_finishes_what_it_holds_and_takes_nothing_new) {
  log->holding = {0};
  spawn(2, 3);
  begin();
  auto jobs_of_0 = [&] {
    return std::count_if(log->jobs.begin(), log->jobs.end(),
                         [](auto& j) { return std::get<0>(j) == 0; });
  };
  ASSERT_EQ(jobs_of_0(), 1);
  caf::anon_send(feed, msg::retire_worker{workers[0].address()});
  env.run();
  EXPECT_TRUE(drain().empty());  // batch 0 is still at the retiring worker
  release_worker(0);
  std::vector<std::uint64_t> got;
  for (int round = 0; round < 10 && got.size() < 20; ++round)
    for (auto seq : drain())
      got.push_back(seq);
  ASSERT_GE(got.size(), 20u);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(got[i], i);
  EXPECT_EQ(jobs_of_0(), 1);
}

// A batch held past stuck_after is reported (stats and one warning) with
// its index, worker and attempt, and leaves the report once delivered.
TEST_F(feeder_test, a_batch_out_past_stuck_after_is_reported_once) {
  log->holding = {0};
  stuck_after = 500ms;
  spawn(2, 3);
  begin();
  for (int i = 0; i < 3; ++i)
    env.advance(125ms);
  EXPECT_TRUE(channel->stats().stuck.empty());  // 375 ms: not yet
  ASSERT_TRUE(channel->stats().oldest);
  EXPECT_EQ(channel->stats().oldest->index, 0u);
  for (int i = 0; i < 3; ++i)
    env.advance(125ms);
  auto s = channel->stats();
  ASSERT_EQ(s.stuck.size(), 1u);
  EXPECT_EQ(s.stuck[0].index, 0u);
  EXPECT_EQ(s.stuck[0].worker, 1u);
  EXPECT_EQ(s.stuck[0].attempt, 1u);
  EXPECT_FALSE(s.stuck[0].state.empty());
  EXPECT_EQ(s.stuck_reported, 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("batch 0"), std::string::npos) << warnings[0];
  for (int i = 0; i < 8; ++i)
    env.advance(125ms);
  EXPECT_EQ(channel->stats().stuck_reported, 1u);  // once per batch
  EXPECT_EQ(warnings.size(), 1u);

  release_worker(0);
  drain();
  env.advance(125ms);
  EXPECT_TRUE(channel->stats().stuck.empty());
  EXPECT_EQ(channel->stats().stuck_reported, 1u);
}

// The head batch held past hedge_after while a worker idles gets a second
// attempt there; its result is delivered, the first attempt's is dropped,
// and no batch is hedged twice.
TEST_F(feeder_test, a_straggling_head_batch_is_hedged_on_an_idle_worker) {
  log->holding = {0};
  hedge_after = 50ms;
  spawn(2, 3);
  begin();  // worker 0 holds batch 0; worker 1 runs the rest of the window
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(log->attempts_of(0), 1);
  env.advance(50ms);
  EXPECT_EQ(log->attempts_of(0), 2);
  std::vector<std::uint64_t> got;
  for (int round = 0; round < 10 && got.size() < 10; ++round)
    for (auto seq : drain())
      got.push_back(seq);
  ASSERT_GE(got.size(), 10u);
  EXPECT_EQ(channel->stats().hedges, 1u);
  EXPECT_EQ(channel->stats().hedges_won, 1u);
  release_worker(0);  // the first attempt ends: its output is a duplicate
  for (int round = 0; round < 10 && got.size() < 30; ++round) {
    for (auto seq : drain())
      got.push_back(seq);
    env.advance(50ms);
  }
  ASSERT_GE(got.size(), 30u);
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i], i);
  EXPECT_EQ(log->attempts_of(0), 2);  // once hedged, never again
}

// A failing hedge costs no retry: the first attempt carries the retries.
TEST_F(feeder_test, a_failed_hedge_is_not_retried) {
  log->holding = {0};
  log->fail = {{0, 1}};  // both attempts 1 of batch 0 fail
  hedge_after = 50ms;
  spawn(2, 3, no_jitter(1ms));
  begin();
  env.advance(50ms);
  EXPECT_EQ(log->attempts_of(0), 2);  // the first attempt and its hedge
  EXPECT_EQ(channel->stats().retries, 0u);
  release_worker(0);  // the first attempt fails: one retry
  std::vector<std::uint64_t> got;
  for (int round = 0; round < 10 && got.size() < 10; ++round) {
    env.advance(2ms);
    for (auto seq : drain())
      got.push_back(seq);
  }
  ASSERT_GE(got.size(), 10u);
  EXPECT_EQ(got.front(), 0u);
  EXPECT_EQ(channel->stats().retries, 1u);
}

TEST_F(feeder_test, hedging_switched_off_makes_no_second_attempt) {
  log->holding = {0};
  hedge = false;
  hedge_after = 50ms;
  spawn(2, 3);
  begin();
  env.advance(500ms);
  EXPECT_EQ(log->attempts_of(0), 1);
  EXPECT_EQ(channel->stats().hedges, 0u);
}

// The live run's figures add up at every step: taken + ahead + in flight =
// issued.
TEST_F(feeder_test, stats_of_the_live_run_add_up) {
  log->holding = {0, 1};
  spawn(2, 3);
  begin();
  auto adds_up = [&] {
    auto s = channel->stats();
    return s.run_delivered + s.ahead + s.in_flight == s.issued;
  };
  auto s = channel->stats();
  EXPECT_GT(s.issued, 2u);
  EXPECT_EQ(s.in_flight, s.issued);
  EXPECT_EQ(s.ahead, 0u);
  release_worker(0);
  EXPECT_EQ(channel->stats().ahead, 1u);
  EXPECT_TRUE(adds_up());
  drain();
  EXPECT_EQ(channel->stats().run_delivered, 1u);
  EXPECT_TRUE(adds_up());
  release_worker(1);
  for (int i = 0; i < 5; ++i) {
    drain();
    EXPECT_TRUE(adds_up());
  }
  begin();  // a new run starts its figures from zero
  s = channel->stats();
  EXPECT_EQ(s.run_delivered, 0u);
  EXPECT_TRUE(adds_up());
  EXPECT_GT(s.delivered, 5u);  // the lifetime count goes on
}

// Each worker of the pool is reported with the jobs it did and the time they
// took, by the time the pool goes idle; joins and losses change the list.
TEST_F(feeder_test, reports_what_each_worker_did) {
  spawn(2, 4, {}, 256, 1, 2'000'000);
  begin();  // the window fills, the workers go idle
  auto s = channel->stats();
  ASSERT_EQ(s.workers.size(), 2u);
  std::uint64_t jobs = 0;
  double busy = 0;
  for (auto& w : s.workers) {
    EXPECT_EQ(w.node, "");
    EXPECT_GT(w.jobs, 0u);
    jobs += w.jobs;
    busy += w.busy_seconds;
  }
  EXPECT_EQ(jobs, s.issued);
  EXPECT_NEAR(busy, 0.002 * static_cast<double>(s.issued), 1e-9);
  workers.push_back(env.sys.spawn(fake_worker, 2, log, col, std::uint64_t{0}));
  caf::anon_send(feed, msg::worker_joined{caf::actor_cast<msg::worker_actor>(workers.back()), 1,
                                          1, "h:9"});
  env.run();
  s = channel->stats();
  ASSERT_EQ(s.workers.size(), 3u);
  EXPECT_EQ(s.workers[2].node, "h:9");
  EXPECT_EQ(s.workers[2].jobs, 0u);
  caf::anon_send(feed, msg::worker_lost{workers[0].address(), false, "gone"});
  env.run();
  s = channel->stats();
  ASSERT_EQ(s.workers.size(), 2u);
  EXPECT_EQ(s.workers[0].worker, 2u);
}

// Cheap batches travel in chunks sized to their measured time (1 ms of
// work a job by default, at most a quarter of the window per worker); a
// batch that fails inside a chunk is retried alone, and every batch is
// delivered once, in order.
TEST_F(feeder_test, cheap_batches_travel_in_chunks_and_a_failure_is_retried_alone) {
  log->fail = {{30, 1}};
  spawn(1, 199, no_jitter(1ms), 256, UINT32_MAX, 1000);
  begin();
  ASSERT_FALSE(log->chunks.empty());
  EXPECT_EQ(std::get<2>(log->chunks.front()), 1u);  // nothing measured yet
  std::vector<std::uint64_t> got;
  for (int round = 0; round < 100 && got.size() < 400; ++round) {
    for (auto seq : drain())
      got.push_back(seq);
    env.advance(2ms);
  }
  ASSERT_GE(got.size(), 400u);
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i], i);
  std::size_t longest = 0;
  for (auto& c : log->chunks)
    longest = std::max(longest, std::get<2>(c));
  EXPECT_EQ(longest, 50u);  // the window, 200, over 4 x 1 worker
  auto retry = std::find_if(log->chunks.begin(), log->chunks.end(),
                            [](auto& c) { return std::get<1>(c) == 2; });
  ASSERT_NE(retry, log->chunks.end());
  EXPECT_EQ(*retry, std::make_tuple(std::uint64_t{30}, std::uint32_t{2}, std::size_t{1}));
}

TEST_F(feeder_test, a_huge_window_is_filled_a_bounded_step_per_message) {
  log->holding = {0, 1};
  spawn(2, 1000, {}, 3);
  epoch = channel->open();
  caf::anon_send(
    feed, msg::begin_run{epoch, std::make_shared<const synthetic_state>(synthetic_state::seeded(1))});
  env.sched.run_once();  // the feeder's begin_run handler, alone
  EXPECT_EQ(probe->iterations.load(), 3);
  env.run();  // it goes on by itself: 2 at the workers, 2 jobs' worth waiting for each
  EXPECT_EQ(probe->iterations.load(), 6);
  release_worker(0);
  release_worker(1);
  EXPECT_EQ(probe->iterations.load(), 1002);  // the whole window, in the end
}

TEST_F(feeder_test, the_default_window_is_three_times_the_pool_plus_one) {
  spawn(2, std::nullopt);
  begin();
  EXPECT_EQ(probe->iterations.load(), 2 * 2 + 1 + 2);
}

TEST_F(feeder_test, a_worker_holds_no_more_jobs_than_its_slots) {
  log->holding = {0, 1};
  spawn(2, 6);
  begin();
  EXPECT_EQ(log->jobs.size(), 2u);  // one per worker; the rest wait
}

TEST_F(feeder_test, retries_after_the_backoff_on_another_worker) {
  log->fail = {{0, 1}};
  spawn(2, 1, no_jitter());
  begin();
  auto first = log->jobs.front();
  EXPECT_EQ(std::get<1>(first), 0u);
  EXPECT_EQ(log->attempts_of(0), 1);
  env.advance(49ms);
  EXPECT_EQ(log->attempts_of(0), 1);
  env.advance(1ms);
  ASSERT_EQ(log->attempts_of(0), 2);
  auto retry_job = *std::find_if(log->jobs.begin() + 1, log->jobs.end(),
                                 [](auto& j) { return std::get<1>(j) == 0; });
  EXPECT_NE(std::get<0>(retry_job), std::get<0>(first));
  EXPECT_EQ(std::get<2>(retry_job), 2u);
  EXPECT_EQ(drain().front(), 0u);
  EXPECT_EQ(channel->stats().retries, 1u);
}

// Round robin alone would give the retry to the worker that failed it (the
// other one is busy): the retry must wait for the other.
TEST_F(feeder_test, a_retry_waits_for_another_worker_rather_than_the_one_that_failed) {
  log->fail = {{0, 1}};
  log->holding = {1};
  spawn(2, 1, no_jitter(1ms));
  begin();
  ASSERT_EQ(std::get<0>(log->jobs.front()), 0);  // seq 0 went to worker 0, which failed it
  env.advance(10ms);                             // the retry is due; worker 0 is idle
  EXPECT_EQ(log->attempts_of(0), 1);
  release_worker(1);
  ASSERT_EQ(log->attempts_of(0), 2);
  auto retry_job = *std::find_if(log->jobs.begin() + 1, log->jobs.end(),
                                 [](auto& j) { return std::get<1>(j) == 0; });
  EXPECT_EQ(std::get<0>(retry_job), 1);
}

TEST_F(feeder_test, gives_up_after_the_last_retry) {
  for (std::uint32_t a = 1; a <= 3; ++a)
    log->fail.insert({1, a});
  spawn(2, 3, no_jitter(50ms, 2));
  begin();
  env.advance(20s);
  env.advance(20s);
  auto d0 = channel->try_pop(epoch);
  auto d1 = channel->try_pop(epoch);
  ASSERT_TRUE(d0 && d1);
  EXPECT_EQ(d0->what, delivery::kind::batch);
  EXPECT_EQ(d1->what, delivery::kind::failure);
  EXPECT_EQ(d1->attempts, 3u);
  EXPECT_EQ(d1->error, "injected");
}

TEST_F(feeder_test, a_permanent_failure_is_not_retried) {
  log->permanent = {{1, 1}};
  spawn(2, 3, no_jitter());
  begin();
  auto d0 = channel->try_pop(epoch);
  auto d1 = channel->try_pop(epoch);
  ASSERT_TRUE(d0 && d1);
  EXPECT_EQ(d1->what, delivery::kind::failure);
  EXPECT_EQ(d1->attempts, 1u);
  EXPECT_EQ(log->attempts_of(1), 1);
  EXPECT_EQ(channel->stats().retries, 0u);
}

TEST_F(feeder_test, a_lost_workers_jobs_go_to_another_without_counting) {
  log->holding = {0};  // worker 0 sits on seq 0
  spawn(2, 1);
  begin();
  EXPECT_EQ(drain(), std::vector<std::uint64_t>{});  // 1 and 2 wait for 0
  caf::anon_send(feed, msg::worker_lost{workers[0].address(), false, "node down"});
  env.run();
  auto redispatched = std::count_if(log->jobs.begin(), log->jobs.end(), [&](auto& j) {
    return std::get<0>(j) == 1 && std::get<1>(j) == 0 && std::get<2>(j) == 1;
  });
  EXPECT_EQ(redispatched, 1);
  EXPECT_EQ(channel->stats().retries, 0u);
  auto seqs = drain();
  ASSERT_GE(seqs.size(), 3u);
  EXPECT_EQ(std::vector<std::uint64_t>(seqs.begin(), seqs.begin() + 3),
            (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST_F(feeder_test, a_worker_killed_by_its_job_costs_the_job_an_attempt) {
  log->holding = {0};
  spawn(2, 1, no_jitter(1ms));
  begin();
  caf::anon_send(feed, msg::worker_lost{workers[0].address(), true, "unhandled exception"});
  env.run();
  EXPECT_EQ(channel->stats().retries, 1u);
  env.advance(10ms);
  auto again = std::count_if(log->jobs.begin(), log->jobs.end(),
                             [&](auto& j) { return std::get<1>(j) == 0 && std::get<2>(j) == 2; });
  EXPECT_EQ(again, 1);
}

// After a halt the feeder hands out nothing more of that run, even while
// the channel would still grant credit and workers come free.
TEST_F(feeder_test, a_halt_hands_out_nothing_more_of_the_run) {
  log->holding = {0, 1};
  spawn(2, 3);
  begin();
  ASSERT_EQ(log->jobs.size(), 2u);  // seqs 2.. wait for a free worker
  caf::anon_send(feed, msg::halt_run{epoch});
  env.run();
  release_worker(0);
  release_worker(1);
  EXPECT_EQ(log->jobs.size(), 2u);
  auto iterated = probe->iterations.load();
  caf::anon_send(feed, msg::credit_returned{epoch});
  env.run();
  EXPECT_EQ(probe->iterations.load(), iterated);
}

// A retry timer of an earlier run must not release the new run's job of the
// same seq before its own backoff ends.
TEST_F(feeder_test, a_stale_retry_timer_does_not_cut_the_new_runs_backoff) {
  log->fail = {{0, 1}};
  spawn(2, 1, no_jitter(50ms));
  begin();  // seq 0 fails at t = 0; its retry is due at 50 ms
  env.advance(30ms);
  auto old_epoch = epoch;
  epoch = channel->open();
  caf::anon_send(feed, msg::halt_run{old_epoch});
  caf::anon_send(col, msg::begin_run{epoch, {}});
  caf::anon_send(
    feed,
    msg::begin_run{epoch, std::make_shared<const synthetic_state>(synthetic_state::seeded(1))});
  env.run();  // the new run's seq 0 fails at t = 30 ms; its retry is due at 80 ms
  auto before = log->attempts_of(0);
  env.advance(25ms);  // t = 55 ms: the old run's timer fires
  EXPECT_EQ(log->attempts_of(0), before);
  env.advance(25ms);  // t = 80 ms
  EXPECT_EQ(log->attempts_of(0), before + 1);
}

}  // namespace
}  // namespace lockstep::detail
