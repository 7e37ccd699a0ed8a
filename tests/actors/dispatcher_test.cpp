#include "lockstep/detail/dispatcher.hpp"

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

pending_job job(std::uint64_t seq, std::optional<worker_id> avoid = std::nullopt) {
  return {seq, 1, {}, {}, avoid};
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
  EXPECT_EQ(a->worker, 10u);
  EXPECT_EQ(a->seq(), 0u);
  EXPECT_FALSE(d.assign());  // the only worker is busy
  EXPECT_EQ(d.waiting(), 2u);
  EXPECT_TRUE(d.finish(10, 1, 0));
  EXPECT_EQ(d.assign()->seq(), 1u);
}

// A retiring worker takes nothing new, steals nothing, and may go once it
// has reported what it holds; its queued job may still be stolen.
TEST(dispatcher, a_retiring_worker_takes_nothing_new_and_goes_when_idle) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2);
  d.add_worker(2, 2);
  for (std::uint64_t s = 0; s < 4; ++s)
    d.enqueue(job(s));
  for (worker_id w : {1, 2, 1, 2})  // 1 holds 0 and 2, 2 holds 1 and 3
    ASSERT_EQ(d.assign()->worker, w);
  d.retire(1);
  EXPECT_FALSE(d.retired_and_idle(1));
  EXPECT_FALSE(d.retired_and_idle(2));  // not retiring
  d.enqueue(job(4));
  EXPECT_TRUE(d.finish(1, 1, 0));
  EXPECT_FALSE(d.assign());  // 1 has a free slot but is retiring; 2 is full
  EXPECT_TRUE(d.finish(1, 1, 2));
  EXPECT_TRUE(d.retired_and_idle(1));
  EXPECT_FALSE(d.steal(1));  // idle, but retiring
  EXPECT_TRUE(d.finish(2, 1, 1));
  auto a = d.assign();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->worker, 2u);
  EXPECT_EQ(a->seq(), 4u);
}

// Batches out the longest come first; each is reported as new once; a
// stolen job's batches once.
TEST(dispatcher, reports_the_batches_out_longest) {
  using std::chrono::milliseconds;
  clock_time t0{milliseconds{1000}};
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2);
  d.add_worker(2, 2);
  for (std::uint64_t s = 0; s < 3; ++s)
    d.enqueue(job(s));
  d.assign(t0);                     // 0 at 1
  d.assign(t0 + milliseconds{10});  // 1 at 2
  d.assign(t0 + milliseconds{20});  // 2 at 1, queued behind 0
  EXPECT_EQ(d.oldest()->seq, 0u);
  auto old = d.older_than(t0 + milliseconds{15});
  ASSERT_EQ(old.size(), 2u);
  EXPECT_EQ(old[0].seq, 0u);
  EXPECT_EQ(old[0].worker, 1u);
  EXPECT_EQ(old[1].seq, 1u);
  EXPECT_TRUE(old[0].first_report && old[1].first_report);
  old = d.older_than(t0 + milliseconds{15});
  ASSERT_EQ(old.size(), 2u);
  EXPECT_FALSE(old[0].first_report || old[1].first_report);

  EXPECT_TRUE(d.finish(2, 1, 1));
  ASSERT_TRUE(d.steal(2, t0 + milliseconds{30}));  // 2 steals seq 2 from 1
  old = d.older_than(t0 + milliseconds{100});
  ASSERT_EQ(old.size(), 2u);  // 0, and 2 once
  EXPECT_EQ(old[1].seq, 2u);
  EXPECT_TRUE(d.finish(1, 1, 0));
  EXPECT_EQ(d.oldest()->seq, 2u);
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
    used.insert(a->worker);
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
  EXPECT_EQ(a->worker, 2u);
  // With worker 2 busy, the retry waits rather than going back to 1 ...
  d.enqueue(job(1, 1));
  EXPECT_FALSE(d.assign());
  // ... but a fresh job may take worker 1.
  d.enqueue(job(2));
  EXPECT_EQ(d.assign()->seq(), 2u);
}

TEST(dispatcher, a_single_worker_takes_its_own_retry) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1);
  d.enqueue(job(0, 1));
  EXPECT_EQ(d.assign()->worker, 1u);
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
    ++held[a->worker];
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
  EXPECT_EQ(d.assign()->worker, 1u);  // now free for run 2
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
  EXPECT_EQ(d.assign()->worker, 1u);
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
  auto busy = c->worker;
  auto idle = busy == 1 ? worker_id{2} : worker_id{1};
  EXPECT_FALSE(d.steal(idle));  // the idle one still holds a job
  d.finish(idle, 1, idle == a->worker ? a->seq() : b->seq());
  auto stolen = d.steal(idle);
  ASSERT_TRUE(stolen);
  EXPECT_EQ(stolen->seq(), 2u);
  EXPECT_EQ(stolen->claim, c->claim);  // one claim for both copies
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
  ASSERT_TRUE(first && second && first->claim && second->claim);
  EXPECT_NE(first->claim, second->claim);
}

// A chunk: up to chunk() first attempts in seq order, at most what the
// worker takes a job; a retry goes alone, and a chunk stops before one.
TEST(dispatcher, chunks_take_consecutive_first_attempts_and_a_retry_goes_alone) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 4, 1000);
  d.add_worker(2, 4, 1);  // a remote worker: one batch a job
  d.set_chunk(3);
  for (std::uint64_t s = 0; s < 5; ++s)
    d.enqueue(job(s));
  auto retry = job(5);
  retry.attempt = 2;
  d.enqueue(retry);
  d.enqueue(job(6));
  auto seqs = [](const assignment& a) {
    std::vector<std::uint64_t> out;
    for (auto& i : a.items)
      out.push_back(i.seq);
    return out;
  };
  auto a = d.assign();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->worker, 1u);
  EXPECT_EQ(seqs(*a), (std::vector<std::uint64_t>{0, 1, 2}));
  auto b = d.assign();
  EXPECT_EQ(b->worker, 2u);
  EXPECT_EQ(seqs(*b), (std::vector<std::uint64_t>{3}));
  auto c = d.assign();
  EXPECT_EQ(seqs(*c), (std::vector<std::uint64_t>{4}));  // stops before the retry
  auto r = d.assign();
  EXPECT_EQ(seqs(*r), (std::vector<std::uint64_t>{5}));
  EXPECT_EQ(r->attempt(), 2u);
  EXPECT_EQ(d.in_flight(), 6u);
  auto done = d.finish(1, 1, 0);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->size(), 3u);  // the whole chunk, to retry what failed in it
  EXPECT_FALSE(d.finish(1, 1, 1));  // a chunk is named by its first seq only
}

TEST(dispatcher, a_retry_is_not_chunked_with_the_batches_behind_it) {
  dispatcher d;
  d.new_run(1);
  d.add_worker(1, 2, 1000);
  d.set_chunk(8);
  auto retry = job(5);
  retry.attempt = 3;
  d.enqueue(job(6));
  d.enqueue(job(7));
  d.enqueue(retry);
  auto r = d.assign();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->seq(), 5u);
  EXPECT_EQ(r->attempt(), 3u);
  auto rest = d.assign();
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->items.size(), 2u);
  EXPECT_EQ(rest->seq(), 6u);
}

// Worker 1 takes chunks of up to 100 and holds seqs 0, 1 and 2, 3.
void two_chunks_at_worker_1(dispatcher& d) {
  d.new_run(1);
  d.add_worker(1, 2, 100);
  d.set_chunk(2);
  for (std::uint64_t s = 0; s < 4; ++s)
    d.enqueue(job(s));
  d.assign();
  d.assign();
}

TEST(dispatcher, a_lost_workers_chunks_come_back_as_batches_in_order) {
  dispatcher d;
  two_chunks_at_worker_1(d);
  auto orphans = d.remove_worker(1);
  ASSERT_EQ(orphans.size(), 4u);
  for (std::uint64_t s = 0; s < 4; ++s)
    EXPECT_EQ(orphans[s].seq, s);
}

TEST(dispatcher, a_chunk_is_stolen_whole_only_by_a_worker_that_takes_its_size) {
  dispatcher d;
  two_chunks_at_worker_1(d);
  d.add_worker(2, 2, 1);  // takes single batches only
  EXPECT_FALSE(d.steal(2));
  d.add_worker(3, 2, 100);
  auto stolen = d.steal(3);
  ASSERT_TRUE(stolen);
  EXPECT_EQ(stolen->seq(), 2u);
  EXPECT_EQ(stolen->items.size(), 2u);
}

}  // namespace
}  // namespace lockstep::detail
