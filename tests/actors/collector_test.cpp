// The collector under CAF's test coordinator: order, epochs, failures.
#include "lockstep/detail/collector.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "coordinator.hpp"

namespace lockstep::detail {
namespace {

struct collector_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<run_channel> channel = std::make_shared<run_channel>();
  msg::collector_actor col = env.sys.spawn(collector, channel);
  std::uint64_t epoch = channel->open();

  ~collector_test() override {
    caf::anon_send_exit(col, caf::exit_reason::user_shutdown);
    env.run();
  }

  template <class T>
  void send(T x) {
    caf::anon_send(col, std::move(x));
    env.run();
  }

  // A result whose output is `payload`, so results of one seq can be told apart.
  msg::result result(std::uint64_t seq, std::uint64_t ep = 0, int payload = 0) {
    return {ep ? ep : epoch, seq, 1, {{seq, std::make_shared<int>(payload), std::make_shared<int>(0)}},
            {}, 0, 1, {}};
  }

  std::vector<std::pair<delivery::kind, std::uint64_t>> drain() {
    std::vector<std::pair<delivery::kind, std::uint64_t>> out;
    while (auto d = channel->try_pop(epoch))
      out.emplace_back(d->what, d->seq);
    return out;
  }
};

using K = delivery::kind;

TEST_F(collector_test, releases_strictly_by_seq) {
  send(msg::begin_run{epoch, {}});
  send(result(2));
  send(result(1));
  EXPECT_TRUE(drain().empty());  // seq 0 has not arrived
  send(result(0));
  send(result(3));
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{
                       {K::batch, 0}, {K::batch, 1}, {K::batch, 2}, {K::batch, 3}}));
}

TEST_F(collector_test, drops_duplicates) {
  send(msg::begin_run{epoch, {}});
  send(result(0));
  send(result(0));  // a job that ran twice (its worker was lost after sending)
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}}));
}

// The restart guarantee: after a restart, a late result of the old run with
// the same seq must not be delivered in place of the new run's batch.
TEST_F(collector_test, a_stale_result_never_takes_the_place_of_the_new_runs) {
  auto old_epoch = epoch;
  send(msg::begin_run{old_epoch, {}});
  epoch = channel->open();  // the client restarts
  send(msg::begin_run{epoch, {}});
  send(result(0, old_epoch, 111));  // the old run's batch 0 arrives late, first
  send(result(0, epoch, 222));
  auto d = channel->try_pop(epoch);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->seq, 0u);
  EXPECT_EQ(*static_cast<int*>(d->output.get()), 222);
}

TEST_F(collector_test, a_failure_ends_the_run_after_everything_before_it) {
  send(msg::begin_run{epoch, {}});
  send(result(4));
  send(msg::batch_failed{epoch, 2, 5, "boom"});
  send(result(1));
  send(result(0));
  send(result(3));
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{
                       {K::batch, 0}, {K::batch, 1}, {K::failure, 2}}));
}

TEST_F(collector_test, run_end_follows_the_last_batch) {
  send(msg::begin_run{epoch, {}});
  send(msg::run_end{epoch, 2});
  send(result(1));
  send(result(0));
  EXPECT_EQ(drain(),
            (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}, {K::batch, 1}, {K::end, 2}}));
}

TEST_F(collector_test, run_failed_fails_right_after_what_is_in_order) {
  send(msg::begin_run{epoch, {}});
  send(result(0));
  send(result(2));
  send(msg::run_failed{epoch, errc::no_workers, "no worker"});
  auto got = drain();
  EXPECT_EQ(got, (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}, {K::failure, 1}}));
}

// A chunk's outputs are released in order with what came before them, and
// every result, of any run, tells the feeder its worker is free.
TEST_F(collector_test, a_chunk_is_released_in_order_and_reported_to_the_feeder) {
  auto readies = std::make_shared<std::vector<msg::worker_ready>>();
  auto feeder = env.sys.spawn([readies](caf::event_based_actor*) -> caf::behavior {
    return {[readies](const msg::worker_ready& r) { readies->push_back(r); }};
  });
  send(msg::feeder_hello{caf::actor_cast<msg::feeder_actor>(feeder)});
  send(msg::begin_run{epoch, {}});
  msg::result chunk{epoch, 1, 1, {}, {{2, false, "try again"}}, 5000, 3, {}};
  chunk.outputs.push_back({1, std::make_shared<int>(1), std::make_shared<int>(0)});
  chunk.outputs.push_back({3, std::make_shared<int>(3), std::make_shared<int>(0)});
  send(chunk);
  send(result(0));
  send(result(0, epoch + 2));  // another run's: dropped, but its worker is free
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}, {K::batch, 1}}));
  ASSERT_EQ(readies->size(), 3u);
  EXPECT_EQ((*readies)[0].seq, 1u);
  ASSERT_EQ((*readies)[0].failures.size(), 1u);
  EXPECT_EQ((*readies)[0].failures[0].seq, 2u);
  EXPECT_EQ((*readies)[0].busy_ns, 5000u);
  EXPECT_EQ((*readies)[0].items, 3u);
  EXPECT_EQ((*readies)[2].epoch, epoch + 2);
  caf::anon_send_exit(feeder, caf::exit_reason::user_shutdown);
}

TEST_F(collector_test, ends_and_failures_of_another_run_are_dropped) {
  send(msg::begin_run{epoch, {}});
  send(msg::run_end{epoch + 2, 0});
  send(msg::batch_failed{epoch + 2, 0, 1, "other"});
  send(msg::run_failed{epoch + 2, errc::no_workers, "other"});
  send(result(0));
  EXPECT_EQ(drain(), (std::vector<std::pair<K, std::uint64_t>>{{K::batch, 0}}));
}

}  // namespace
}  // namespace lockstep::detail
