// The fault matrix's long cases: storms of restarts, cycles of start and
// stop, batchers made and destroyed; nothing may be lost or leak.
#include <gtest/gtest.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "log_capture.hpp"
#include "probe_source.hpp"
#include "process_stats.hpp"
#include "wait.hpp"

namespace lockstep {
namespace {

using test::probe_source;
using test::process_stats;

const auto s0 = synthetic_state::seeded(99);

// AddressSanitizer holds freed memory in quarantine and ThreadSanitizer grows
// shadow and history memory with every address touched, so RSS says nothing there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool rss_is_meaningful = false;
#else
constexpr bool rss_is_meaningful = true;
#endif

config quick(std::size_t workers) {
  config c;
  c.workers = workers;
  c.retry.first_delay = std::chrono::milliseconds{1};
  return c;
}

// The plain loop's first n batches and the states before each.
struct reference {
  std::vector<synthetic_state> before;
  std::vector<step<test::probe_output, synthetic_state>> taken;

  explicit reference(int n, synthetic_params p = {}) {
    plain_loop ref{probe_source{p}};
    auto s = s0;
    for (int i = 0; i < n; ++i) {
      before.push_back(s);
      taken.push_back(*ref.take(s));
      s = taken.back().state;
    }
  }
};

TEST(batcher_stress, a_thousand_mismatched_takes_then_normal_takes) {
  test::log_capture quiet;
  reference ref{60};
  batcher b{probe_source{}, quick(3)};
  for (int i = 0; i < 1000; ++i) {
    auto k = static_cast<std::size_t>((i * 7919) % 50);
    auto got = b.take(ref.before[k]);
    ASSERT_TRUE(got);
    ASSERT_EQ(*got, ref.taken[k]) << "take #" << i;
  }
  EXPECT_GE(b.stats().restarts, 900u);  // consecutive equal draws need no restart
  auto s = ref.before[0];
  for (std::size_t i = 0; i < 60; ++i) {
    auto got = b.take(s);
    ASSERT_EQ(*got, ref.taken[i]);
    s = got->state;
  }
}

TEST(batcher_stress, restarts_while_batches_fail_and_retry) {
  test::log_capture quiet;
  synthetic_params p;
  p.fail_first_attempts = 1;
  reference ref{40};
  batcher b{probe_source{p}, quick(3)};
  for (int i = 0; i < 200; ++i) {
    auto k = static_cast<std::size_t>((i * 31) % 40);
    ASSERT_EQ(*b.take(ref.before[k]), ref.taken[k]) << "take #" << i;
  }
}

TEST(batcher_stress, a_thousand_start_stop_cycles_leak_nothing) {
  test::log_capture quiet;
  reference ref{1};
  batcher b{probe_source{}, quick(2)};
  auto cycle = [&] {
    b.start(s0);
    ASSERT_EQ(*b.take(s0), ref.taken[0]);
    b.stop();
  };
  for (int i = 0; i < 50; ++i)
    cycle();
  auto before = process_stats::now();
  for (int i = 0; i < 1000; ++i)
    cycle();
  auto after = process_stats::now();
  EXPECT_EQ(after.threads, before.threads);
  EXPECT_LE(after.fds, before.fds);
  if (rss_is_meaningful) {
    EXPECT_LT(after.rss_mb, before.rss_mb + 8) << "grew from " << before.rss_mb << " MB";
  }
  EXPECT_EQ(b.pool_size(), 2u);
}

TEST(batcher_stress, batchers_made_and_destroyed_give_back_threads_and_descriptors) {
  test::log_capture quiet;
  reference ref{3};
  auto use_one = [&] {
    batcher b{probe_source{}, quick(3)};
    auto s = s0;
    for (int i = 0; i < 3; ++i) {
      auto got = b.take(s);
      ASSERT_EQ(*got, ref.taken[static_cast<std::size_t>(i)]);
      s = got->state;
    }
  };
  use_one();
  auto before = process_stats::now();
  for (int i = 0; i < 100; ++i)
    use_one();
  // Threads end just after their actor system's destructor returns.
  EXPECT_TRUE(test::wait_until([&] { return process_stats::now().threads <= before.threads; }));
  auto after = process_stats::now();
  EXPECT_LE(after.fds, before.fds);
  if (rss_is_meaningful) {
    EXPECT_LT(after.rss_mb, before.rss_mb + 16) << "grew from " << before.rss_mb << " MB";
  }
}

}  // namespace
}  // namespace lockstep
