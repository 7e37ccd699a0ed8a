// The manager under CAF's test coordinator: whole runs, and a dying worker.
#include "lockstep/detail/manager.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "coordinator.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "typed_source.hpp"

namespace lockstep::detail {
namespace {

struct manager_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<test::probe> probe = std::make_shared<test::probe>();
  std::shared_ptr<run_channel> channel = std::make_shared<run_channel>(2);
  msg::manager_actor mgr;

  void spawn(std::size_t workers, synthetic_params p = {},
             std::chrono::milliseconds rampup = std::chrono::milliseconds{0}) {
    manager_config mc;
    mc.rampup = rampup;
    mc.source = test::make_adapter(p, probe);
    mc.channel = channel;
    mc.local_workers = workers;
    mc.detach = false;
    mgr = env.sys.spawn(manager, mc);
    env.run();
  }

  std::uint64_t start(synthetic_state s) {
    auto epoch = channel->open();
    caf::anon_send(mgr, msg::start_cmd{epoch, std::make_shared<const synthetic_state>(s)});
    env.run();
    return epoch;
  }

  // Takes n batches like the client would.
  std::vector<std::pair<test::probe_output, synthetic_state>> take(std::uint64_t epoch, int n) {
    std::vector<std::pair<test::probe_output, synthetic_state>> out;
    for (int i = 0; i < n; ++i) {
      auto d = channel->try_pop(epoch);
      if (!d) {  // a retry may be backing off
        env.advance(std::chrono::seconds{10});
        d = channel->try_pop(epoch);
      }
      env.run();  // the pop may have woken the feeder
      if (!d || d->what != delivery::kind::batch)
        break;
      out.emplace_back(test::output_of(*d), test::state_of(d->state_after));
    }
    return out;
  }

  ~manager_test() override {
    if (mgr)
      caf::anon_send_exit(mgr, caf::exit_reason::user_shutdown);
    env.run();
  }
};

TEST_F(manager_test, a_run_yields_the_plain_loop_sequence) {
  spawn(3);
  EXPECT_EQ(channel->pool_size(), 3u);
  auto s0 = synthetic_state::seeded(3);
  auto epoch = start(s0);
  plain_loop ref{test::probe_source{}};
  std::vector<std::pair<test::probe_output, synthetic_state>> expected;
  auto s = s0;
  for (int i = 0; i < 20; ++i) {
    auto r = ref.take(s);
    s = r->state;
    expected.emplace_back(std::move(r->output), r->state);
  }
  EXPECT_EQ(take(epoch, 20), expected);
}

TEST_F(manager_test, a_restart_discards_the_old_run) {
  spawn(2);
  auto first = start(synthetic_state::seeded(1));
  auto old_batches = take(first, 1);
  ASSERT_EQ(old_batches.size(), 1u);
  channel->close(run_status::closed);
  caf::anon_send(mgr, msg::stop_cmd{first});
  env.run();
  auto second = start(synthetic_state::seeded(1));
  auto again = take(second, 3);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0], old_batches[0]);
  EXPECT_EQ(again[0].first.index, 0u);
  EXPECT_EQ(again[1].first.index, 1u);
}

TEST_F(manager_test, a_dead_worker_is_replaced_and_its_job_redone) {
  probe->kill_index = 1;
  spawn(2);
  auto epoch = start(synthetic_state::seeded(9));
  auto got = take(epoch, 10);
  ASSERT_EQ(got.size(), 10u);
  for (std::uint64_t i = 0; i < 10; ++i)
    EXPECT_EQ(got[i].first.index, i);
  EXPECT_TRUE(probe->killed);
  EXPECT_EQ(channel->stats().workers_lost, 1u);
  EXPECT_EQ(channel->pool_size(), 2u);
}

TEST_F(manager_test, nothing_is_iterated_before_a_run_starts) {
  spawn(2);
  EXPECT_EQ(probe->iterations.load(), 0);
}

// Without workers, one stand-in materializes; it is not counted in the pool,
// so the window is the buffer alone.
TEST_F(manager_test, zero_workers_run_on_one_uncounted_stand_in) {
  spawn(0);
  EXPECT_EQ(channel->pool_size(), 0u);
  auto epoch = start(synthetic_state::seeded(4));
  EXPECT_EQ(probe->iterations.load(), 2);  // buffer 2 + 0 workers
  auto got = take(epoch, 5);
  ASSERT_EQ(got.size(), 5u);
  for (std::uint64_t i = 0; i < 5; ++i)
    EXPECT_EQ(got[i].first.index, i);
}

// set_workers: the pool grows and shrinks mid-run; a retired worker
// finishes what it held, so nothing is lost, redone or reordered.
TEST_F(manager_test, the_pool_grows_and_shrinks_while_a_run_goes_on) {
  spawn(4);
  auto epoch = start(synthetic_state::seeded(5));
  auto got = take(epoch, 10);
  caf::anon_send(mgr, msg::set_workers_cmd{1});
  env.run();
  EXPECT_EQ(channel->pool_size(), 1u);
  for (auto& b : take(epoch, 20))
    got.push_back(b);
  caf::anon_send(mgr, msg::set_workers_cmd{3});
  env.run();
  EXPECT_EQ(channel->pool_size(), 3u);
  for (auto& b : take(epoch, 10))
    got.push_back(b);
  ASSERT_EQ(got.size(), 40u);
  for (std::uint64_t i = 0; i < 40; ++i)
    EXPECT_EQ(got[i].first.index, i);
  EXPECT_EQ(channel->stats().workers_lost, 0u);
  EXPECT_EQ(channel->stats().retries, 0u);
  // Nothing was materialized twice: every batch iterated was made once at most.
  EXPECT_LE(probe->materializations.load(), probe->iterations.load());
}

TEST_F(manager_test, shrinking_to_zero_leaves_the_stand_in_and_growing_retires_it) {
  spawn(2);
  auto epoch = start(synthetic_state::seeded(6));
  auto got = take(epoch, 5);
  caf::anon_send(mgr, msg::set_workers_cmd{0});
  env.run();
  EXPECT_EQ(channel->pool_size(), 0u);
  for (auto& b : take(epoch, 5))
    got.push_back(b);
  caf::anon_send(mgr, msg::set_workers_cmd{2});
  env.run();
  EXPECT_EQ(channel->pool_size(), 2u);
  for (auto& b : take(epoch, 5))
    got.push_back(b);
  ASSERT_EQ(got.size(), 15u);
  for (std::uint64_t i = 0; i < 15; ++i)
    EXPECT_EQ(got[i].first.index, i);
  EXPECT_EQ(channel->stats().workers_lost, 0u);
}

// A rampup of 300 ms to 4 workers: one at first, one more every 100 ms.
TEST_F(manager_test, a_rampup_adds_workers_evenly_until_the_count) {
  spawn(4, {}, std::chrono::milliseconds{300});
  EXPECT_EQ(channel->pool_size(), 1u);
  auto epoch = start(synthetic_state::seeded(7));
  env.advance(std::chrono::milliseconds{100});
  EXPECT_EQ(channel->pool_size(), 2u);
  env.advance(std::chrono::milliseconds{100});
  EXPECT_EQ(channel->pool_size(), 3u);
  env.advance(std::chrono::milliseconds{100});
  EXPECT_EQ(channel->pool_size(), 4u);
  env.advance(std::chrono::milliseconds{1000});
  EXPECT_EQ(channel->pool_size(), 4u);
  auto got = take(epoch, 10);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got.back().first.index, 9u);
}

TEST_F(manager_test, set_workers_ends_a_rampup) {
  spawn(4, {}, std::chrono::milliseconds{300});
  caf::anon_send(mgr, msg::set_workers_cmd{2});
  env.run();
  EXPECT_EQ(channel->pool_size(), 2u);
  env.advance(std::chrono::milliseconds{1000});
  EXPECT_EQ(channel->pool_size(), 2u);
}

TEST(death, only_a_death_caused_by_the_job_counts_as_an_attempt) {
  EXPECT_TRUE(death_counts_as_attempt(caf::exit_reason::unhandled_exception));
  EXPECT_FALSE(death_counts_as_attempt(caf::exit_reason::user_shutdown));
  EXPECT_FALSE(death_counts_as_attempt(caf::exit_reason::remote_link_unreachable));
  EXPECT_FALSE(death_counts_as_attempt(caf::exit_reason::kill));
}

}  // namespace
}  // namespace lockstep::detail
