#include "lockstep/actors/client_queue.hpp"

#include <future>

#include <gtest/gtest.h>

namespace lockstep {
namespace {

TEST(client_queue, credit_stops_at_the_window_and_pop_frees_it) {
  client_queue q;
  q.set_pool(2, 1);  // window 3
  auto e = q.open();
  EXPECT_TRUE(q.try_acquire(e));
  EXPECT_TRUE(q.try_acquire(e));
  EXPECT_TRUE(q.try_acquire(e));
  EXPECT_FALSE(q.try_acquire(e));  // the feeder now waits
  q.push(e, delivery::batch(0, {}, {}));
  bool wake = false;
  ASSERT_TRUE(q.pop(e, wake));
  EXPECT_TRUE(wake);  // the pop freed credit the feeder waits for
  EXPECT_TRUE(q.try_acquire(e));
}

TEST(client_queue, only_the_live_epoch_counts) {
  client_queue q;
  q.set_pool(1, 1);
  auto old = q.open();
  auto e = q.open();
  EXPECT_GT(e, old);
  EXPECT_FALSE(q.try_acquire(old));
  q.push(old, delivery::batch(0, {}, {}));
  EXPECT_EQ(q.ready(), 0u);
  q.push(e, delivery::batch(0, {}, {}));
  EXPECT_EQ(q.ready(), 1u);
  EXPECT_EQ(q.live_epoch(), e);
}

TEST(client_queue, close_wakes_a_waiting_pop) {
  client_queue q;
  auto e = q.open();
  auto waiting = std::async(std::launch::async, [&] {
    bool wake = false;
    return q.pop(e, wake);
  });
  q.close(run_status::closed);
  EXPECT_FALSE(waiting.get());
  EXPECT_EQ(q.status().status, run_status::closed);
  EXPECT_NE(q.live_epoch(), e);  // workers skip the closed run's jobs
}

TEST(client_queue, stop_only_closes_a_run_that_exists) {
  client_queue q;
  EXPECT_FALSE(q.stop());
  EXPECT_EQ(q.status().status, run_status::stopped);
  q.open();
  EXPECT_TRUE(q.stop());
  EXPECT_FALSE(q.stop());
  EXPECT_EQ(q.status().status, run_status::closed);
}

TEST(client_queue, a_bigger_pool_wakes_a_waiting_feeder) {
  client_queue q;
  q.set_pool(1, 1);
  auto e = q.open();
  q.try_acquire(e);
  q.try_acquire(e);
  EXPECT_FALSE(q.try_acquire(e));
  EXPECT_TRUE(q.set_pool(2, 1));
  EXPECT_EQ(q.pool_size(), 2u);
  EXPECT_TRUE(q.try_acquire(e));
}

}  // namespace
}  // namespace lockstep
