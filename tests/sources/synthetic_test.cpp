#include "lockstep/sources/synthetic.hpp"

#include <chrono>
#include <limits>

#include <time.h>

#include <boost/json/parse.hpp>

#include <thread>

#include <gtest/gtest.h>

#include "lockstep/runtime/digest.hpp"
#include "lockstep/messages/serialize.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep {
namespace {

TEST(synthetic, outputs_are_a_pure_function_of_the_state) {
  synthetic a, b;
  auto s = synthetic_state::seeded(4);
  for (int i = 0; i < 50; ++i) {
    auto sa = a.iterate(s);
    auto sb = b.iterate(s);
    ASSERT_TRUE(sa && sb);
    EXPECT_EQ(sa->first, sb->first);
    EXPECT_EQ(a.materialize(sa->first), b.materialize(sb->first));
    EXPECT_EQ(sa->first.index, static_cast<std::uint64_t>(i));
    s = sa->second;
  }
}

// A large output takes a block a released one left, as a real source's does,
// so a run stops faulting in fresh pages; the bytes are the same either way.
TEST(synthetic, large_outputs_reuse_the_memory_of_released_ones) {
  synthetic_params p;
  p.item_bytes = synthetic::pooled_from_bytes;
  synthetic src{p};
  auto copy = src;  // copies share the pool
  ASSERT_NE(src.output_memory(), nullptr);
  EXPECT_EQ(copy.output_memory(), src.output_memory());
  auto s = synthetic_state::seeded(3);
  auto first = src.iterate(s);
  auto second = src.iterate(first->second);
  auto expected = src.materialize(second->first);
  const void* block = nullptr;
  {
    auto out = copy.materialize(first->first);
    block = out.bytes.data();
  }
  auto out = src.materialize(second->first);
  EXPECT_EQ(out.bytes.data(), block);
  EXPECT_EQ(out, expected);
  EXPECT_GE(src.output_memory()->stats().reused, 1u);
  p.item_bytes = synthetic::pooled_from_bytes - 1;
  EXPECT_EQ(synthetic{p}.output_memory(), nullptr);
}

TEST(synthetic, golden_digests) {
  // Pinned: these digests are what `lockstep run --seed 1` prints.
  synthetic src;
  auto s = synthetic_state::seeded(1);
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto step = src.iterate(s);
    got.push_back(digest_hex(encode(src.materialize(step->first))));
    s = step->second;
  }
  EXPECT_EQ(got, (std::vector<std::string>{"f4673e7cf4b608a0", "889aa0f2bdcf8118", "4694314b5d43e939"}));
}

TEST(synthetic, item_bytes_sets_the_size) {
  synthetic_params p;
  p.item_bytes = 13;
  synthetic src{p};
  auto step = src.iterate(synthetic_state::seeded(1));
  EXPECT_EQ(src.materialize(step->first).bytes.size(), 13u);
}

TEST(synthetic, length_ends_the_source) {
  synthetic_params p;
  p.length = 2;
  synthetic src{p};
  auto s = synthetic_state::seeded(1);
  s = src.iterate(s)->second;
  s = src.iterate(s)->second;
  EXPECT_FALSE(src.iterate(s));
}

TEST(synthetic, poison_fails_every_attempt_and_fail_first_k_then_succeeds) {
  synthetic_params p;
  p.poison_index = 1;
  p.fail_first_attempts = 2;
  synthetic src{p};
  auto s = synthetic_state::seeded(1);
  auto b0 = src.iterate(s);
  auto b1 = src.iterate(b0->second);
  EXPECT_THROW(src.materialize(b0->first), std::runtime_error);
  EXPECT_THROW(src.materialize(b0->first), std::runtime_error);
  EXPECT_NO_THROW(src.materialize(b0->first));
  for (int i = 0; i < 10; ++i)
    EXPECT_THROW(src.materialize(b1->first), std::runtime_error);
}

TEST(synthetic, latency_is_fixed_or_log_normal_around_the_median) {
  synthetic_params p;
  p.latency_ms = 2;
  synthetic fixed{p};
  auto s = synthetic_state::seeded(1);
  EXPECT_EQ(fixed.latency_of(fixed.iterate(s)->first), std::chrono::milliseconds{2});
  p.latency_sigma = 1;
  synthetic lognormal{p};
  int below = 0;
  for (int i = 0; i < 2000; ++i) {
    auto step = lognormal.iterate(s);
    below += lognormal.latency_of(step->first) < std::chrono::milliseconds{2} ? 1 : 0;
    s = step->second;
  }
  EXPECT_GT(below, 900);  // the median splits the draws in half
  EXPECT_LT(below, 1100);
}

TEST(synthetic, bad_params_are_named) {
  synthetic_params p;
  p.latency_ms = -1;
  EXPECT_THROW(synthetic{p}, error);
  p = {};
  p.latency_sigma = 1;  // no median
  try {
    synthetic src{p};
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("latency_sigma"), std::string::npos);
  }
}

// 1e300 ms once became a wait of 0 through an overflowing cast; NaN and
// infinity are no waits at all.
TEST(synthetic, absurd_latencies_are_refused_naming_the_field) {
  for (double ms : {1e300, 86400001.0, std::numeric_limits<double>::infinity(),
                    std::numeric_limits<double>::quiet_NaN()}) {
    synthetic_params p;
    p.latency_ms = ms;
    try {
      synthetic src{p};
      FAIL() << ms << " accepted";
    } catch (const error& e) {
      EXPECT_NE(std::string{e.what()}.find("latency_ms"), std::string::npos) << e.what();
    }
  }
  synthetic_params p;
  p.latency_ms = 1;
  p.latency_sigma = 1e300;
  EXPECT_THROW(synthetic{p}, error);
  p.latency_ms = 86400000;
  p.latency_sigma = 10;
  synthetic src{p};
  for (std::uint64_t seed = 0; seed < 64; ++seed)  // even the longest draw is a wait
    EXPECT_LE(src.latency_of({0, seed}), std::chrono::hours{24});
}

// The default parameters' JSON must not change (nodes of an earlier build
// read it), and spin_ms must survive the trip to a node.
TEST(synthetic, spin_ms_round_trips_and_is_absent_by_default) {
  EXPECT_EQ(synthetic{}.params().find("spin_ms"), std::string::npos);
  synthetic_params p;
  p.spin_ms = 0.25;
  auto back = synthetic::from_params(boost::json::parse(synthetic{p}.params()));
  EXPECT_EQ(back.settings().spin_ms, 0.25);
  EXPECT_EQ(back.fingerprint(), synthetic{}.fingerprint());  // timing, not content
  p.spin_ms = -1;
  try {
    synthetic src{p};
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("spin_ms"), std::string::npos);
  }
}

TEST(synthetic, slow_worker_factor_round_trips_and_is_absent_by_default) {
  EXPECT_EQ(synthetic{}.params().find("slow_worker_factor"), std::string::npos);
  synthetic_params p;
  p.slow_worker_factor = 10;
  auto back = synthetic::from_params(boost::json::parse(synthetic{p}.params()));
  EXPECT_EQ(back.settings().slow_worker_factor, 10);
  EXPECT_EQ(back.fingerprint(), synthetic{}.fingerprint());  // timing, not content
  p.slow_worker_factor = 0.5;
  try {
    synthetic src{p};
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("slow_worker_factor"), std::string::npos);
  }
}

// The first thread to materialize waits the factor times each latency, every
// batch; another thread waits the latency alone. Same bytes either way.
TEST(synthetic, the_first_materializing_thread_is_the_slow_worker) {
  synthetic_params p;
  p.latency_ms = 0.2;
  p.slow_worker_factor = 1000;  // 200 ms a batch on the slow thread
  synthetic src{p};
  auto step = src.iterate(synthetic_state::seeded(1));
  auto ms = [&] {
    auto start = std::chrono::steady_clock::now();
    auto out = src.materialize(step->first);
    EXPECT_EQ(out, synthetic{}.materialize(step->first));
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
  };
  EXPECT_GE(ms(), 200.0);
  double other = 0;
  std::thread{[&] { other = ms(); }}.join();
  EXPECT_LT(other, 100.0);
  EXPECT_GE(ms(), 200.0);  // still the slow one
}

TEST(synthetic, spin_ms_costs_cpu_time_of_the_materializing_thread) {
  auto cpu = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
  };
  synthetic_params p;
  p.spin_ms = 5;
  synthetic src{p};
  auto step = src.iterate(synthetic_state::seeded(1));
  auto before = cpu();
  auto out = src.materialize(step->first);
  EXPECT_GE(cpu() - before, 5.0);
  EXPECT_EQ(out, synthetic{}.materialize(step->first));  // the same bytes as without
}

}  // namespace
}  // namespace lockstep
