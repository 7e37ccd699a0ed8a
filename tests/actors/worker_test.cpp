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

// What reached the fake collector.
struct seen {
  std::vector<msg::result> results;
};

caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<seen> log) {
  return {
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
              caf::actor_cast<msg::collector_actor>(rec)});
  std::uint64_t epoch = channel->open();

  ~worker_test() override {
    caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(rec, caf::exit_reason::user_shutdown);
    env.run();
  }

  // A job of the batches `batches` (seq = batch), each followed by state batch + 1.
  void job(std::vector<std::uint64_t> batches, std::uint64_t ep,
           std::shared_ptr<std::atomic<bool>> claim = nullptr) {
    msg::job j{ep, 1, {}, std::move(claim)};
    for (auto b : batches)
      j.items.push_back({b, std::make_shared<const std::uint64_t>(b),
                         std::make_shared<const std::uint64_t>(b + 1)});
    caf::anon_send(w, std::move(j));
    env.run();
  }

  static std::uint64_t value(const msg::output_item& o) {
    return *static_cast<std::uint64_t*>(o.output.get());
  }
};

TEST_F(worker_test, materializes_and_sends_one_result_naming_itself) {
  job({3}, epoch);
  ASSERT_EQ(log->results.size(), 1u);
  auto& r = log->results[0];
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(value(r.outputs[0]), 30u);
  EXPECT_EQ(*static_cast<const std::uint64_t*>(r.outputs[0].state_after.get()), 4u);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.seq, 3u);
  EXPECT_EQ(r.items, 1u);
  EXPECT_EQ(r.worker, w.address());
}

TEST_F(worker_test, reports_transient_and_permanent_failures_apart) {
  job({2}, epoch);
  job({1}, epoch);
  ASSERT_EQ(log->results.size(), 2u);
  ASSERT_EQ(log->results[0].failures.size(), 1u);
  EXPECT_FALSE(log->results[0].failures[0].permanent);
  EXPECT_EQ(log->results[0].failures[0].error, "try again");
  ASSERT_EQ(log->results[1].failures.size(), 1u);
  EXPECT_TRUE(log->results[1].failures[0].permanent);
  EXPECT_EQ(log->results[1].failures[0].error, "cannot parse record 1");
  EXPECT_TRUE(log->results[0].outputs.empty() && log->results[1].outputs.empty());
}

// A chunk: the batch that fails is reported alone; the others, before and
// after it, are delivered in order.
TEST_F(worker_test, a_failing_batch_inside_a_chunk_fails_alone) {
  job({3, 2, 4, 5}, epoch);
  ASSERT_EQ(log->results.size(), 1u);
  auto& r = log->results[0];
  ASSERT_EQ(r.outputs.size(), 3u);
  EXPECT_EQ(r.outputs[0].seq, 3u);
  EXPECT_EQ(r.outputs[1].seq, 4u);
  EXPECT_EQ(r.outputs[2].seq, 5u);
  EXPECT_EQ(value(r.outputs[2]), 50u);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].seq, 2u);
  EXPECT_EQ(r.items, 4u);
  EXPECT_EQ(r.seq, 3u);  // the job keeps the name of its first batch
}

TEST_F(worker_test, notes_the_largest_output_for_the_byte_budget) {
  auto budgeted = std::make_shared<run_channel>(std::nullopt, std::size_t{1} << 20);
  auto ep = budgeted->open();
  budgeted->set_pool(1);
  auto wb = env.sys.spawn(
    worker, worker_config{
              std::make_shared<source_adapter<test::picky_source>>(test::picky_source{}),
              budgeted, caf::actor_cast<msg::collector_actor>(rec)});
  EXPECT_EQ(budgeted->window_now(), 4u);  // buffer 2 x 1 + 1, plus the worker
  caf::anon_send(wb, msg::job{ep, 1, {{3, std::make_shared<const std::uint64_t>(3), nullptr}}, {}});
  env.run();
  EXPECT_EQ(budgeted->window_now(), (std::size_t{1} << 20) / (sizeof(std::uint64_t) + bookkeeping_bytes));
  caf::anon_send_exit(wb, caf::exit_reason::user_shutdown);
}

TEST_F(worker_test, skips_jobs_of_a_dead_run_and_jobs_claimed_elsewhere) {
  auto dead = epoch;
  epoch = channel->open();
  job({3}, dead);
  auto claimed = std::make_shared<std::atomic<bool>>(true);
  job({4}, epoch, claimed);
  ASSERT_EQ(log->results.size(), 2u);  // free again, without a failure
  for (auto& r : log->results)
    EXPECT_TRUE(r.outputs.empty() && r.failures.empty() && r.items == 0);
  auto fresh = std::make_shared<std::atomic<bool>>(false);
  job({5}, epoch, fresh);
  ASSERT_EQ(log->results.size(), 3u);
  EXPECT_EQ(log->results[2].outputs.size(), 1u);
  EXPECT_TRUE(fresh->load());  // this worker claimed it
}

}  // namespace
}  // namespace lockstep::detail
