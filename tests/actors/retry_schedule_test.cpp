#include "lockstep/detail/retry_schedule.hpp"

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

using namespace std::chrono_literals;

TEST(retry_schedule, defaults_are_ondabatches) {
  retry_policy p;
  EXPECT_EQ(p.max_retries, 4u);
  EXPECT_EQ(p.first_delay, 50ms);
  EXPECT_EQ(p.factor, 5.0);
  EXPECT_EQ(p.jitter, 0.1);
  EXPECT_EQ(p.max_delay, 10s);
}

TEST(retry_schedule, grows_exponentially_up_to_the_cap) {
  retry_policy p;
  // unit 0.5 selects no jitter.
  EXPECT_EQ(retry_delay(p, 1, 0.5), 50ms);
  EXPECT_EQ(retry_delay(p, 2, 0.5), 250ms);
  EXPECT_EQ(retry_delay(p, 3, 0.5), 1250ms);
  EXPECT_EQ(retry_delay(p, 4, 0.5), 6250ms);
  EXPECT_EQ(retry_delay(p, 5, 0.5), 10s);
  EXPECT_EQ(retry_delay(p, 50, 0.5), 10s);
}

TEST(retry_schedule, jitter_stays_within_ten_percent_and_below_the_cap) {
  retry_policy p;
  EXPECT_EQ(retry_delay(p, 1, 0.0), 45ms);
  EXPECT_EQ(retry_delay(p, 1, 1.0), 55ms);
  EXPECT_EQ(retry_delay(p, 9, 1.0), 10s);
}

}  // namespace
}  // namespace lockstep::detail
