// Chunks under stress, on real threads: tiny batches with a byte budget
// travel many to a job; failures, restarts and stops land inside chunks.
// Nothing may be lost, repeated or reordered.
#include <gtest/gtest.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "log_capture.hpp"
#include "probe_source.hpp"

namespace lockstep {
namespace {

using test::probe_source;

const auto s0 = synthetic_state::seeded(7);

config budgeted(std::size_t workers) {
  config c;
  c.workers = workers;
  c.buffer_bytes = std::size_t{1} << 20;
  c.retry.first_delay = std::chrono::milliseconds{1};
  c.retry.max_delay = std::chrono::milliseconds{1};
  return c;
}

// The plain loop's first n batches and the states before each (without the
// injected failures, which change no batch).
struct reference {
  std::vector<synthetic_state> before;
  std::vector<step<test::probe_output, synthetic_state>> taken;

  reference(std::size_t n, synthetic_params p) {
    p.transient_fraction = 0;
    plain_loop ref{probe_source{p}};
    auto s = s0;
    for (std::size_t i = 0; i < n; ++i) {
      before.push_back(s);
      taken.push_back(*ref.take(s));
      s = taken.back().state;
    }
  }
};

// Takes every batch of `ref` from s0 and returns the state after the last.
synthetic_state takes_all_of(batcher<probe_source>& b, const reference& ref) {
  auto s = s0;
  for (std::size_t i = 0; i < ref.taken.size(); ++i) {
    auto got = b.take(s);
    EXPECT_TRUE(got);
    if (!got)
      break;
    EXPECT_EQ(*got, ref.taken[i]) << "batch " << i;
    s = got->state;
  }
  return s;
}

TEST(batcher_chunks, tiny_batches_with_transient_failures_match_the_plain_loop) {
  test::log_capture quiet;
  synthetic_params p;
  p.transient_fraction = 0.01;  // about 200 retried batches, inside chunks
  reference ref{20000, p};
  batcher b{probe_source{p}, budgeted(3)};
  takes_all_of(b, ref);
  EXPECT_GT(b.window(), 100u);  // the budget, not 2W+1 + W, sized the window
  EXPECT_GT(b.stats().retries, 50u);
}

TEST(batcher_chunks, restarts_land_inside_chunks) {
  test::log_capture quiet;
  synthetic_params p;
  p.transient_fraction = 0.02;
  reference ref{3000, p};
  batcher b{probe_source{p}, budgeted(2)};
  for (int i = 0; i < 300; ++i) {
    auto k = static_cast<std::size_t>((i * 7919) % 2900);
    auto s = ref.before[k];
    for (std::size_t j = 0; j < 40 && k + j < ref.taken.size(); ++j) {
      auto got = b.take(s);
      ASSERT_TRUE(got);
      ASSERT_EQ(*got, ref.taken[k + j]) << "restart #" << i << ", batch " << k + j;
      s = got->state;
    }
  }
}

TEST(batcher_chunks, a_poisoned_batch_inside_a_chunk_fails_after_every_batch_before_it) {
  test::log_capture quiet;
  synthetic_params p;
  p.poison_index = 1234;
  reference ref{1234, p};
  auto c = budgeted(2);
  c.retry.max_retries = 2;
  batcher b{probe_source{p}, c};
  auto s = takes_all_of(b, ref);
  EXPECT_THROW(b.take(s), batch_error);
  EXPECT_EQ(b.status().status, run_status::failed);
}

TEST(batcher_chunks, stop_and_start_while_chunks_are_in_flight) {
  test::log_capture quiet;
  synthetic_params p;
  reference ref{200, p};
  batcher b{probe_source{p}, budgeted(3)};
  for (int i = 0; i < 200; ++i) {
    b.start(s0);
    auto s = s0;
    for (std::size_t j = 0; j < static_cast<std::size_t>(i % 50) + 1; ++j) {
      auto got = b.take(s);
      ASSERT_TRUE(got);
      ASSERT_EQ(*got, ref.taken[j]) << "cycle " << i << ", batch " << j;
      s = got->state;
    }
    b.stop();
  }
}

}  // namespace
}  // namespace lockstep
