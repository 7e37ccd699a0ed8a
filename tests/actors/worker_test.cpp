// The worker under CAF's test coordinator: what it materializes, skips and reports.
#include "lockstep/detail/worker.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "coordinator.hpp"
#include "picky_source.hpp"
#include "typed_source.hpp"

namespace lockstep::detail {
namespace {

// What reached the fake feeder and collector.
struct seen {
  std::vector<msg::worker_ready> ready;
  std::vector<msg::result> results;
};

caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<seen> log) {
  return {
    [=](const msg::worker_ready& r) { log->ready.push_back(r); },
    [=](const msg::result& r) { log->results.push_back(r); },
  };
}

struct worker_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<seen> log = std::make_shared<seen>();
  std::shared_ptr<run_channel> channel = std::make_shared<run_channel>();
  caf::actor rec = env.sys.spawn(recorder, log);
  msg::worker_actor w = env.sys.spawn(
    worker, worker_config{
              std::make_shared<source_adapter<test::picky_source>>(test::picky_source{}), channel,
              caf::actor_cast<msg::feeder_actor>(rec), caf::actor_cast<msg::collector_actor>(rec)});
  std::uint64_t epoch = channel->open();

  ~worker_test() override {
    caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(rec, caf::exit_reason::user_shutdown);
    env.run();
  }

  void job(std::uint64_t batch, std::uint64_t ep,
           std::shared_ptr<std::atomic<bool>> claim = nullptr) {
    caf::anon_send(w, msg::job{ep, batch, 1, std::make_shared<const std::uint64_t>(batch),
                               std::make_shared<const std::uint64_t>(batch + 1), std::move(claim)});
    env.run();
  }
};

TEST_F(worker_test, materializes_sends_the_result_then_is_ready) {
  job(3, epoch);
  ASSERT_EQ(log->results.size(), 1u);
  EXPECT_EQ(*static_cast<std::uint64_t*>(log->results[0].output.get()), 30u);
  ASSERT_EQ(log->ready.size(), 1u);
  EXPECT_FALSE(log->ready[0].failed);
}

TEST_F(worker_test, reports_transient_and_permanent_failures_apart) {
  job(2, epoch);
  job(1, epoch);
  ASSERT_EQ(log->ready.size(), 2u);
  EXPECT_TRUE(log->ready[0].failed);
  EXPECT_FALSE(log->ready[0].permanent);
  EXPECT_EQ(log->ready[0].error, "try again");
  EXPECT_TRUE(log->ready[1].failed);
  EXPECT_TRUE(log->ready[1].permanent);
  EXPECT_EQ(log->ready[1].error, "cannot parse record 1");
  EXPECT_TRUE(log->results.empty());
}

TEST_F(worker_test, skips_jobs_of_a_dead_run_and_jobs_claimed_elsewhere) {
  auto dead = epoch;
  epoch = channel->open();
  job(3, dead);
  auto claimed = std::make_shared<std::atomic<bool>>(true);
  job(4, epoch, claimed);
  EXPECT_TRUE(log->results.empty());
  ASSERT_EQ(log->ready.size(), 2u);  // free again, without a failure
  EXPECT_FALSE(log->ready[0].failed || log->ready[1].failed);
  auto fresh = std::make_shared<std::atomic<bool>>(false);
  job(5, epoch, fresh);
  EXPECT_EQ(log->results.size(), 1u);
  EXPECT_TRUE(fresh->load());  // this worker claimed it
}

}  // namespace
}  // namespace lockstep::detail
