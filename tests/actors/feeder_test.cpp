// The feeder under CAF's test coordinator, with scripted fake workers.
#include "lockstep/actors/feeder.hpp"

#include <gtest/gtest.h>

#include "coordinator.hpp"
#include "lockstep/actors/collector.hpp"
#include "lockstep/messages/messages.hpp"
#include "typed_source.hpp"

namespace lockstep {
namespace {

// What the fake workers saw: (worker, seq, attempt).
struct job_log {
  std::vector<std::tuple<int, std::uint64_t, std::uint32_t>> jobs;
  std::set<std::pair<std::uint64_t, std::uint32_t>> fail;  // (seq, attempt) to fail
  std::set<int> holding;  // workers that keep their jobs without answering
};

caf::behavior fake_worker(caf::event_based_actor* self, int name, std::shared_ptr<job_log> log,
                          caf::actor collector) {
  return {
    [=](const msg::job& j) {
      log->jobs.emplace_back(name, j.seq, j.attempt);
      if (log->holding.count(name) > 0)
        return;
      auto sender = caf::actor_cast<caf::actor>(self->current_sender());
      bool failed = log->fail.count({j.seq, j.attempt}) > 0;
      if (!failed)
        self->send(collector, msg::result{j.epoch, j.seq, std::make_shared<int>(0), j.state_after});
      self->send(sender, msg::worker_ready{j.epoch, j.seq, j.attempt, failed,
                                           failed ? "injected" : ""});
    },
  };
}

struct feeder_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<test::probe> probe = std::make_shared<test::probe>();
  std::shared_ptr<client_queue> queue = std::make_shared<client_queue>();
  std::shared_ptr<job_log> log = std::make_shared<job_log>();
  caf::actor col = env.sys.spawn(collector, queue);
  caf::actor feed;
  std::vector<caf::actor> workers;
  std::uint64_t epoch = 0;

  void spawn(std::size_t n_workers, std::size_t buffer, retry_policy retry = {}) {
    feeder_config fc{test::make_adapter({}, probe), queue, col, retry, n_workers == 0};
    feed = env.sys.spawn(feeder, fc);
    queue->set_pool(n_workers, buffer);
    for (std::size_t i = 0; i < n_workers; ++i) {
      workers.push_back(env.sys.spawn(fake_worker, static_cast<int>(i), log, col));
      caf::anon_send(feed, msg::worker_joined{workers.back()});
    }
    env.run();
  }

  void begin() {
    epoch = queue->open();
    caf::anon_send(col, msg::begin_run{epoch, {}});
    caf::anon_send(feed, msg::begin_run{epoch, std::make_shared<synthetic_state>(
                                                 synthetic_state::seeded(1))});
    env.run();
  }

  std::vector<std::uint64_t> drain() {
    std::vector<std::uint64_t> seqs;
    bool wake = false;
    while (auto d = queue->try_pop(epoch, wake)) {
      seqs.push_back(d->seq);
      if (wake)
        caf::anon_send(feed, msg::credit_returned{epoch});
    }
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

TEST_F(feeder_test, a_worker_holds_one_job_at_a_time) {
  log->holding = {0, 1};
  spawn(2, 6);
  begin();
  EXPECT_EQ(log->jobs.size(), 2u);  // one per worker; the rest wait
}

TEST_F(feeder_test, retries_after_the_backoff_on_another_worker) {
  log->fail = {{0, 1}};
  retry_policy retry;
  retry.first_delay = std::chrono::milliseconds{50};
  retry.jitter = 0;
  spawn(2, 1, retry);
  begin();
  // Seq 0 failed on worker 0; nothing was retried yet.
  auto first = log->jobs.front();
  EXPECT_EQ(std::get<1>(first), 0u);
  auto attempts_of_0 = [&] {
    return std::count_if(log->jobs.begin(), log->jobs.end(),
                         [](auto& j) { return std::get<1>(j) == 0; });
  };
  EXPECT_EQ(attempts_of_0(), 1);
  env.advance(std::chrono::milliseconds{49});
  EXPECT_EQ(attempts_of_0(), 1);
  env.advance(std::chrono::milliseconds{1});
  ASSERT_EQ(attempts_of_0(), 2);
  auto retry_job = *std::find_if(log->jobs.begin() + 1, log->jobs.end(),
                                 [](auto& j) { return std::get<1>(j) == 0; });
  EXPECT_NE(std::get<0>(retry_job), std::get<0>(first));
  EXPECT_EQ(std::get<2>(retry_job), 2u);
  EXPECT_EQ(drain().front(), 0u);
  EXPECT_EQ(queue->stats().retries, 1u);
}

TEST_F(feeder_test, gives_up_after_the_last_retry) {
  for (std::uint32_t a = 1; a <= 3; ++a)
    log->fail.insert({1, a});
  retry_policy retry;
  retry.max_retries = 2;
  spawn(2, 3, retry);
  begin();
  env.advance(std::chrono::seconds{20});
  env.advance(std::chrono::seconds{20});
  bool wake = false;
  auto d0 = queue->try_pop(epoch, wake);
  auto d1 = queue->try_pop(epoch, wake);
  ASSERT_TRUE(d0 && d1);
  EXPECT_EQ(d0->what, delivery::kind::batch);
  EXPECT_EQ(d1->what, delivery::kind::failure);
  EXPECT_EQ(d1->attempts, 3u);
  EXPECT_EQ(d1->error, "injected");
}

TEST_F(feeder_test, a_lost_workers_jobs_go_to_another) {
  log->holding = {0};  // worker 0 sits on seq 0
  spawn(2, 1);
  begin();
  EXPECT_EQ(drain(), std::vector<std::uint64_t>{});  // 1 and 2 wait for 0
  caf::anon_send(feed, msg::worker_lost{workers[0].address(), false, "node down"});
  env.run();
  // Worker 1 got the lost job; the run goes on in order.
  auto redispatched = std::count_if(log->jobs.begin(), log->jobs.end(), [&](auto& j) {
    return std::get<0>(j) == 1 && std::get<1>(j) == 0;
  });
  EXPECT_EQ(redispatched, 1);
  auto seqs = drain();
  ASSERT_GE(seqs.size(), 3u);
  EXPECT_EQ(std::vector<std::uint64_t>(seqs.begin(), seqs.begin() + 3),
            (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST_F(feeder_test, halt_stops_issuing) {
  spawn(1, 1);
  begin();
  caf::anon_send(feed, msg::halt_run{epoch});
  env.run();
  auto before = probe->iterations.load();
  queue->close(run_status::closed);
  caf::anon_send(feed, msg::credit_returned{epoch});
  env.run();
  EXPECT_EQ(probe->iterations.load(), before);
}

TEST_F(feeder_test, zero_workers_materializes_inline) {
  spawn(0, 3);
  begin();
  EXPECT_EQ(drain(), (std::vector<std::uint64_t>{0, 1, 2}));
  EXPECT_GE(probe->materializations.load(), 3);
}

}  // namespace
}  // namespace lockstep
