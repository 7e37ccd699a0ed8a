#include "lockstep/detail/dispatcher.hpp"

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

pending_job job(std::uint64_t seq, std::optional<worker_id> avoid = std::nullopt) {
  return {seq, 1, {}, {}, avoid, nullptr};
}

TEST(dispatcher, lowest_seq_goes_first_to_a_free_worker) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(10);
  d.enqueue(job(2));
  d.enqueue(job(0));
  d.enqueue(job(1));
  auto a = d.assign();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, 10u);
  EXPECT_EQ(a->second.seq, 0u);
  EXPECT_FALSE(d.assign());  // the only worker is busy
  EXPECT_EQ(d.waiting(), 2u);
  EXPECT_TRUE(d.finish(10, 1, 0));
  EXPECT_EQ(d.assign()->second.seq, 1u);
}

TEST(dispatcher, spreads_jobs_over_workers) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1);
  d.add_worker(2);
  d.add_worker(3);
  for (std::uint64_t s = 0; s < 3; ++s)
    d.enqueue(job(s));
  std::set<worker_id> used;
  while (auto a = d.assign())
    used.insert(a->first);
  EXPECT_EQ(used, (std::set<worker_id>{1, 2, 3}));
  EXPECT_EQ(d.in_flight(), 3u);
}

TEST(dispatcher, a_retry_avoids_the_worker_that_failed_it) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1);
  d.add_worker(2);
  d.enqueue(job(0, 1));
  auto a = d.assign();
  EXPECT_EQ(a->first, 2u);
  // With worker 2 busy, the retry waits rather than going back to 1 ...
  d.enqueue(job(1, 1));
  EXPECT_FALSE(d.assign());
  // ... but a fresh job may take worker 1.
  d.enqueue(job(2));
  EXPECT_EQ(d.assign()->second.seq, 2u);
}

TEST(dispatcher, a_single_worker_takes_its_own_retry) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1);
  d.enqueue(job(0, 1));
  EXPECT_EQ(d.assign()->first, 1u);
}

TEST(dispatcher, a_removed_worker_returns_its_live_jobs) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2);
  d.enqueue(job(0));
  d.enqueue(job(1));
  d.assign();
  d.assign();
  auto orphans = d.remove_worker(1);
  ASSERT_EQ(orphans.size(), 2u);
  EXPECT_EQ(orphans[0].seq, 0u);
  EXPECT_EQ(orphans[1].seq, 1u);
  EXPECT_EQ(d.workers(), 0u);
}

TEST(dispatcher, a_worker_with_more_slots_takes_more_jobs) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 1);
  d.add_worker(2, 3);
  for (std::uint64_t s = 0; s < 6; ++s)
    d.enqueue(job(s));
  std::map<worker_id, int> held;
  while (auto a = d.assign())
    ++held[a->first];
  EXPECT_EQ(held[1], 1);
  EXPECT_EQ(held[2], 3);
  EXPECT_EQ(d.waiting(), 2u);
}

TEST(dispatcher, old_runs_keep_workers_busy_but_are_never_returned) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1);
  d.enqueue(job(0));
  d.assign();
  d.new_run(2);
  d.enqueue(job(0));
  EXPECT_FALSE(d.assign());          // worker 1 still runs run 1's job
  EXPECT_FALSE(d.finish(1, 1, 0));   // finished, but not of the live run
  EXPECT_EQ(d.assign()->first, 1u);  // now free for run 2
  EXPECT_TRUE(d.remove_worker(1).size() == 1);
}

TEST(dispatcher, an_old_runs_queued_jobs_count_as_one) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2);
  d.enqueue(job(0));
  d.enqueue(job(1));
  d.assign();
  d.assign();
  d.new_run(2);
  d.enqueue(job(0));
  // One old job may be running, the other will be skipped: one slot is left.
  EXPECT_EQ(d.assign()->first, 1u);
  d.enqueue(job(1));
  EXPECT_FALSE(d.assign());
}

TEST(dispatcher, an_idle_worker_steals_a_job_queued_behind_another) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2);
  d.add_worker(2, 2);
  d.enqueue(job(0));
  d.enqueue(job(1));
  auto a = d.assign();
  auto b = d.assign();
  ASSERT_TRUE(a && b);
  // Both on different workers (least loaded first); give worker 1 a second.
  d.enqueue(job(2));
  auto c = d.assign();
  ASSERT_TRUE(c);
  auto busy = c->first;
  auto idle = busy == 1 ? worker_id{2} : worker_id{1};
  EXPECT_FALSE(d.steal(idle));  // the idle one still holds a job
  d.finish(idle, 1, idle == a->first ? a->second.seq : b->second.seq);
  auto stolen = d.steal(idle);
  ASSERT_TRUE(stolen);
  EXPECT_EQ(stolen->seq, 2u);
  EXPECT_EQ(stolen->claim, c->second.claim);  // one claim for both copies
  EXPECT_FALSE(d.steal(idle));                // each job is stolen once
  EXPECT_FALSE(d.assign());
}

TEST(dispatcher, nothing_is_stolen_while_jobs_wait) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2);
  d.add_worker(2, 2);
  d.add_worker(3, 1);
  d.enqueue(job(0));
  d.enqueue(job(1));
  d.enqueue(job(2));
  d.enqueue(job(3));
  d.enqueue(job(4));
  while (d.assign()) {
  }
  EXPECT_EQ(d.waiting(), 0u);
  EXPECT_EQ(d.in_flight(), 5u);
  d.finish(3, 1, 2);  // worker 3 held seq 2 (round robin); now idle
  d.enqueue(job(5));
  EXPECT_FALSE(d.steal(3));  // a waiting job goes first
}

TEST(dispatcher, every_assignment_gets_a_fresh_claim) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1);
  d.enqueue(job(0));
  auto first = d.assign();
  d.finish(1, 1, 0);
  d.enqueue(job(0));  // a retry
  auto second = d.assign();
  ASSERT_TRUE(first && second && first->second.claim && second->second.claim);
  EXPECT_NE(first->second.claim, second->second.claim);
}

}  // namespace
}  // namespace lockstep::detail
