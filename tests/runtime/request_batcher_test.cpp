// request_batcher<Model>: batches by size and by the oldest request's
// deadline (CAF's test coordinator, virtual time), per-request rejection,
// failing batches with and without isolation, queue policies, timeouts,
// priorities, stop, and many concurrent submitters on real threads.
#include "lockstep/runtime/request_batcher.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "coordinator.hpp"
#include "wait.hpp"

namespace lockstep {
namespace {

using namespace std::chrono_literals;

// Doubles each request; -1 makes its batch throw; 13 is refused by validate.
struct doubler {
  using request = int;
  using response = int;

  struct record {
    std::mutex mutex;
    std::vector<std::vector<int>> batches;
    std::atomic<int> models{0};
    std::size_t drop_one_at = 0;  // a batch of this size answers one short
  };
  std::shared_ptr<record> log;

  std::vector<int> run_batch(std::span<const int> batch) {
    {
      std::lock_guard lock{log->mutex};
      log->batches.emplace_back(batch.begin(), batch.end());
    }
    std::vector<int> out;
    for (int r : batch) {
      if (r == -1)
        throw std::runtime_error("poison request");
      out.push_back(2 * r);
    }
    if (log->drop_one_at != 0 && batch.size() == log->drop_one_at)
      out.pop_back();
    return out;
  }

  std::optional<std::string> validate(int& r) const {
    if (r == 13)
      return "13 is unlucky";
    return std::nullopt;
  }
};

template <class T>
bool ready(const std::future<T>& f) {
  return f.wait_for(0s) == std::future_status::ready;
}

template <class T>
errc code_of(std::future<T>& f) {
  try {
    f.get();
  } catch (const error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return errc{};
}

// Every future fails with batch_failed and message `what`.
void expect_all_fail(std::vector<std::future<int>>& f, const char* what) {
  for (auto& x : f) {
    try {
      x.get();
      ADD_FAILURE() << "no error";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::batch_failed);
      EXPECT_STREQ(e.what(), what);
    }
  }
}

struct request_batcher_test : ::testing::Test {
  test::coordinator env;
  std::shared_ptr<doubler::record> log = std::make_shared<doubler::record>();

  // A batcher's former and instances end only when the coordinator runs them.
  ~request_batcher_test() override { env.run(); }

  request_batcher_config config(std::size_t max, std::size_t instances = 1) {
    request_batcher_config c;
    c.max_batch_size = max;
    c.max_delay = 5ms;
    c.instances = instances;
    c.detach_instances = false;
    return c;
  }

  std::unique_ptr<request_batcher<doubler>> make(request_batcher_config c) {
    auto rec = log;
    return std::make_unique<request_batcher<doubler>>(
      c,
      [rec](std::size_t) {
        ++rec->models;
        return std::make_unique<doubler>(doubler{rec});
      },
      &env.sys);
  }

  std::vector<std::vector<int>> batches() {
    std::lock_guard lock{log->mutex};
    return log->batches;
  }
};

TEST_F(request_batcher_test, a_batch_runs_when_max_batch_size_requests_wait) {
  auto b = make(config(4));
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 3; ++i)
    f.push_back(b->submit(i));
  env.run();
  EXPECT_TRUE(batches().empty());
  EXPECT_FALSE(ready(f[0]));
  f.push_back(b->submit(4));
  env.run();
  ASSERT_EQ(batches(), (std::vector<std::vector<int>>{{1, 2, 3, 4}}));
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(f[static_cast<std::size_t>(i)].get(), 2 * (i + 1));
  auto s = b->stats();
  EXPECT_EQ(s.batches, 1u);
  EXPECT_EQ(s.batch_sizes.at(4), 1u);
  EXPECT_EQ(s.completed, 4u);
}

TEST_F(request_batcher_test, the_deadline_counts_from_the_oldest_request_not_the_last) {
  auto b = make(config(8));
  auto first = b->submit(1);
  env.run();
  env.advance(3ms);
  auto second = b->submit(2);
  env.run();
  env.advance(1900us);  // 4.9 ms after the first, 1.9 ms after the second
  EXPECT_TRUE(batches().empty());
  env.advance(100us);  // 5 ms after the first: an idle-gap timer would wait 3 ms more
  ASSERT_EQ(batches(), (std::vector<std::vector<int>>{{1, 2}}));
  EXPECT_EQ(first.get(), 2);
  EXPECT_EQ(second.get(), 4);
}

TEST_F(request_batcher_test, a_preferred_size_runs_without_waiting_for_the_maximum) {
  auto c = config(8);
  c.preferred_batch_sizes = {3, 6};
  auto b = make(c);
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 2; ++i)
    f.push_back(b->submit(i));
  env.run();
  EXPECT_TRUE(batches().empty());
  f.push_back(b->submit(3));
  env.run();
  EXPECT_EQ(batches(), (std::vector<std::vector<int>>{{1, 2, 3}}));
}

TEST_F(request_batcher_test, instances_each_get_a_model_and_run_batches) {
  auto b = make(config(2, 3));
  EXPECT_EQ(log->models.load(), 3);
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 6; ++i)
    f.push_back(b->submit(i));
  env.run();
  EXPECT_EQ(batches().size(), 3u);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(f[static_cast<std::size_t>(i)].get(), 2 * (i + 1));
}

struct shared_doubler : doubler {
  static constexpr bool thread_safe = true;
};

TEST_F(request_batcher_test, a_thread_safe_model_is_made_once_and_shared) {
  auto rec = log;
  {
    request_batcher<shared_doubler> b(
      config(2, 3),
      [rec](std::size_t) {
        ++rec->models;
        return std::make_unique<shared_doubler>(shared_doubler{{rec}});
      },
      &env.sys);
    EXPECT_EQ(log->models.load(), 1);
  }
  env.run();
}

TEST_F(request_batcher_test, a_rejected_request_fails_alone_with_the_models_message) {
  auto b = make(config(3));
  auto one = b->submit(1);
  auto bad = b->submit(13);
  ASSERT_TRUE(ready(bad));  // refused before it is queued
  try {
    bad.get();
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::rejected);
    EXPECT_STREQ(e.what(), "13 is unlucky");
  }
  auto two = b->submit(2);
  auto three = b->submit(3);
  env.run();
  EXPECT_EQ(batches(), (std::vector<std::vector<int>>{{1, 2, 3}}));
  EXPECT_EQ(one.get() + two.get() + three.get(), 12);
  EXPECT_EQ(b->stats().rejected, 1u);
}

TEST_F(request_batcher_test, a_throwing_batch_fails_every_request_in_it) {
  auto b = make(config(4));
  std::vector<std::future<int>> f;
  for (int r : {1, -1, 2, 3})
    f.push_back(b->submit(r));
  env.run();
  expect_all_fail(f, "poison request");
  EXPECT_EQ(b->stats().failed, 4u);
  EXPECT_EQ(b->stats().isolation_runs, 0u);
}

TEST_F(request_batcher_test, isolation_fails_only_the_poison_request_within_the_bound) {
  auto c = config(8);
  c.isolate_failures = true;
  for (int poison = 0; poison < 8; ++poison) {
    log->batches.clear();
    auto b = make(c);
    std::vector<std::future<int>> f;
    for (int i = 0; i < 8; ++i)
      f.push_back(b->submit(i == poison ? -1 : i + 1));
    env.run();
    for (int i = 0; i < 8; ++i) {
      auto& x = f[static_cast<std::size_t>(i)];
      if (i == poison)
        EXPECT_EQ(code_of(x), errc::batch_failed) << poison;
      else
        EXPECT_EQ(x.get(), 2 * (i + 1)) << poison;
    }
    auto s = b->stats();
    b.reset();
    env.run();
    EXPECT_GE(s.isolation_runs, 3u);
    EXPECT_LE(s.isolation_runs, 6u);  // 2 * log2(8)
    EXPECT_EQ(s.completed, 7u);
    EXPECT_EQ(s.failed, 1u);
  }
}

TEST_F(request_batcher_test, a_wrong_result_count_fails_every_request_of_the_batch) {
  log->drop_one_at = 3;
  auto c = config(3);
  c.isolate_failures = true;  // not a throw: nothing to isolate
  auto b = make(c);
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 3; ++i)
    f.push_back(b->submit(i));
  env.run();
  expect_all_fail(f, "run_batch returned 2 responses for 3 requests");
  EXPECT_EQ(batches().size(), 1u);
}

TEST_F(request_batcher_test, a_full_queue_rejects_at_once_under_the_reject_policy) {
  auto c = config(8);
  c.max_queue = 2;
  auto b = make(c);
  auto a = b->submit(1);
  auto d = b->submit(2);
  auto refused = b->submit(3);
  ASSERT_TRUE(ready(refused));
  EXPECT_EQ(code_of(refused), errc::queue_full);
  env.run();
  env.advance(5ms);
  EXPECT_EQ(a.get() + d.get(), 6);
  auto later = b->submit(4);  // the batch left the queue: room again
  env.run();
  env.advance(5ms);
  EXPECT_EQ(later.get(), 8);
  EXPECT_EQ(b->stats().queue_full, 1u);
}

TEST_F(request_batcher_test, a_timed_out_request_is_answered_at_its_timeout_and_never_runs) {
  auto b = make(config(8));
  auto hasty = b->submit(1, {priority::normal, 2ms});
  auto patient = b->submit(2);
  env.run();
  env.advance(2ms);
  ASSERT_TRUE(ready(hasty));
  EXPECT_EQ(code_of(hasty), errc::timed_out);
  EXPECT_FALSE(ready(patient));
  env.advance(3ms);
  EXPECT_EQ(patient.get(), 4);
  EXPECT_EQ(batches(), (std::vector<std::vector<int>>{{2}}));
  EXPECT_EQ(b->stats().timed_out, 1u);
}

TEST_F(request_batcher_test, high_priority_requests_join_the_next_batch_first) {
  auto b = make(config(2));
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 5; ++i)
    f.push_back(b->submit(i));
  f.push_back(b->submit(100, {priority::high, {}}));
  env.run();
  env.advance(5ms);
  EXPECT_EQ(batches(), (std::vector<std::vector<int>>{{1, 2}, {100, 3}, {4, 5}}));
}

TEST_F(request_batcher_test, stop_fails_every_pending_request_with_stopped) {
  auto b = make(config(8));
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 3; ++i)
    f.push_back(b->submit(i));
  env.run();
  b->stop();
  env.run();
  for (auto& x : f)
    EXPECT_EQ(code_of(x), errc::stopped);
  auto after = b->submit(4);
  ASSERT_TRUE(ready(after));
  EXPECT_EQ(code_of(after), errc::stopped);
  EXPECT_TRUE(batches().empty());
  EXPECT_EQ(b->stats().stopped, 4u);
}

TEST_F(request_batcher_test, a_bad_config_is_refused_naming_the_field) {
  auto c = config(4);
  c.preferred_batch_sizes = {4};
  try {
    make(c);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    EXPECT_NE(std::string(e.what()).find("preferred_batch_sizes"), std::string::npos);
  }
  EXPECT_EQ(log->models.load(), 0);
}

TEST_F(request_batcher_test, waits_beyond_a_day_are_refused_before_they_overflow_a_deadline) {
  for (auto field : {"max_delay", "full_wait"}) {
    auto c = config(4);
    if (std::string_view{field} == "max_delay")
      c.max_delay = std::chrono::microseconds::max();
    else
      c.full_wait = std::chrono::milliseconds::max();
    try {
      make(c);
      ADD_FAILURE() << field << " accepted";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  }
  auto b = make(config(4));
  auto huge = b->submit(1, {priority::normal, std::chrono::microseconds::max()});
  auto negative = b->submit(2, {priority::normal, -1ms});
  auto day = b->submit(3, {priority::normal, std::chrono::hours{24}});
  for (auto* f : {&huge, &negative}) {
    ASSERT_TRUE(ready(*f));
    EXPECT_EQ(code_of(*f), errc::rejected);
  }
  env.run();
  env.advance(5ms);
  EXPECT_EQ(day.get(), 6);  // a day is allowed, and its deadline does not fire early
  EXPECT_EQ(batches(), (std::vector<std::vector<int>>{{3}}));
  EXPECT_EQ(b->stats().rejected, 2u);
}

// On real threads from here.

std::unique_ptr<request_batcher<doubler>> threaded(std::shared_ptr<doubler::record> rec,
                                                   request_batcher_config c) {
  return std::make_unique<request_batcher<doubler>>(
    c, [rec](std::size_t) { return std::make_unique<doubler>(doubler{rec}); });
}

TEST(request_batcher_threads, destruction_answers_pending_requests_stopped) {
  auto rec = std::make_shared<doubler::record>();
  request_batcher_config c;
  c.max_delay = std::chrono::seconds{60};
  auto b = threaded(rec, c);
  auto f = b->submit(1);
  b.reset();
  ASSERT_TRUE(ready(f));
  EXPECT_EQ(code_of(f), errc::stopped);
}

// A model that blocks until the test opens it.
struct gated {
  using request = int;
  using response = int;
  std::shared_ptr<std::promise<void>> open;
  std::shared_future<void> opened;
  std::vector<int> run_batch(std::span<const int> batch) {
    opened.wait();
    return {batch.begin(), batch.end()};
  }
};

// One request running on a blocked instance, one queued, a queue of one:
// the next submit finds the queue full.
struct full_queue {
  std::shared_ptr<std::promise<void>> open = std::make_shared<std::promise<void>>();
  std::shared_future<void> opened = open->get_future().share();
  request_batcher<gated> b;
  std::future<int> running, queued;

  explicit full_queue(std::chrono::milliseconds full_wait)
    : b(config(full_wait), [this](std::size_t) { return std::make_unique<gated>(gated{open, opened}); }) {
    running = b.submit(1);
    // The first request leaves the queue for the (blocked) instance.
    EXPECT_TRUE(test::wait_until([&] { return b.stats().batches == 1; }));
    queued = b.submit(2);
  }

  static request_batcher_config config(std::chrono::milliseconds full_wait) {
    request_batcher_config c;
    c.max_batch_size = 1;
    c.max_queue = 1;
    c.full_policy = when_full::wait;
    c.full_wait = full_wait;
    return c;
  }
};

TEST(request_batcher_threads, the_wait_policy_admits_a_request_once_room_frees) {
  full_queue q{std::chrono::seconds{60}};
  std::atomic<bool> admitted{false};
  std::future<int> waiting;
  std::thread caller([&] {
    waiting = q.b.submit(3);  // blocks: the queue holds one
    admitted = true;
  });
  ASSERT_TRUE(test::wait_until([&] { return q.b.stats().submitted == 3; }));
  EXPECT_FALSE(admitted);  // nothing can leave the queue while the model is blocked
  q.open->set_value();
  caller.join();
  EXPECT_TRUE(admitted);
  EXPECT_EQ(q.running.get() + q.queued.get() + waiting.get(), 6);
  EXPECT_EQ(q.b.stats().queue_full, 0u);
}

TEST(request_batcher_threads, the_wait_policy_gives_up_after_full_wait) {
  full_queue q{std::chrono::milliseconds{20}};
  auto start = std::chrono::steady_clock::now();
  auto refused = q.b.submit(3);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds{20});
  EXPECT_EQ(code_of(refused), errc::queue_full);
  q.open->set_value();
  EXPECT_EQ(q.running.get() + q.queued.get(), 3);
}

TEST(request_batcher_threads, thousands_of_concurrent_submitters_each_get_their_answer) {
  auto rec = std::make_shared<doubler::record>();
  request_batcher_config c;
  c.max_batch_size = 32;
  c.max_delay = std::chrono::milliseconds{1};
  c.instances = 2;
  auto b = threaded(rec, c);
  constexpr int callers = 2000;
  std::atomic<int> wrong{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  threads.reserve(callers);
  for (int t = 0; t < callers; ++t)
    threads.emplace_back([&, t] {
      // Above 13, which the model refuses.
      if (b->submit(t + 1000).get() != 2 * (t + 1000))
        ++wrong;
      b->submit(t + 5000, [&, t](outcome<int> o) {
        if (!o.ok() || o.value() != 2 * (t + 5000))
          ++wrong;
        ++answered;
      });
    });
  for (auto& th : threads)
    th.join();
  ASSERT_TRUE(test::wait_until([&] { return answered.load() == callers; }));
  EXPECT_EQ(wrong.load(), 0);
  auto s = b->stats();
  EXPECT_EQ(s.completed, 2u * callers);
  std::uint64_t in_batches = 0;
  for (std::size_t n = 0; n < s.batch_sizes.size(); ++n)
    in_batches += n * s.batch_sizes[n];
  EXPECT_EQ(in_batches, 2u * callers);
}

}  // namespace
}  // namespace lockstep
