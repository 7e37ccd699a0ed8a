#include "lockstep/detail/reorder_buffer.hpp"

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

std::vector<std::uint64_t> seqs(const std::vector<delivery>& ds) {
  std::vector<std::uint64_t> out;
  for (auto& d : ds)
    out.push_back(d.seq);
  return out;
}

TEST(reorder_buffer, releases_in_seq_order_only) {
  reorder_buffer buf;
  std::vector<delivery> out;
  EXPECT_TRUE(buf.put(delivery::batch(1, {}, {})));
  EXPECT_TRUE(buf.put(delivery::batch(2, {}, {})));
  buf.release(out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(buf.held(), 2u);
  EXPECT_TRUE(buf.put(delivery::batch(0, {}, {})));
  buf.release(out);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{0, 1, 2}));
  EXPECT_EQ(buf.next_seq(), 3u);
  EXPECT_EQ(buf.held(), 0u);
}

TEST(reorder_buffer, drops_duplicates_and_released_seqs) {
  reorder_buffer buf;
  std::vector<delivery> out;
  EXPECT_TRUE(buf.put(delivery::batch(1, {}, {})));
  EXPECT_FALSE(buf.put(delivery::batch(1, {}, {})));
  EXPECT_TRUE(buf.put(delivery::batch(0, {}, {})));
  buf.release(out);
  EXPECT_FALSE(buf.put(delivery::batch(0, {}, {})));
}

TEST(reorder_buffer, a_failure_finishes_the_run) {
  reorder_buffer buf;
  std::vector<delivery> out;
  buf.put(delivery::batch(3, {}, {}));
  buf.put(delivery::failure(1, errc::batch_failed, "x", 5));
  buf.put(delivery::batch(0, {}, {}));
  buf.release(out);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(out.back().what, delivery::kind::failure);
  EXPECT_TRUE(buf.finished());
  EXPECT_FALSE(buf.put(delivery::batch(2, {}, {})));
  buf.reset();
  EXPECT_FALSE(buf.finished());
  EXPECT_TRUE(buf.put(delivery::batch(0, {}, {})));
}

TEST(reorder_buffer, fail_now_follows_what_is_in_order) {
  reorder_buffer buf;
  std::vector<delivery> out;
  buf.put(delivery::batch(0, {}, {}));
  buf.put(delivery::batch(2, {}, {}));
  buf.fail_now(delivery::failure(0, errc::no_workers, "none", 0), out);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(out[1].code, errc::no_workers);
  EXPECT_TRUE(buf.finished());
}

// A job run: nothing waits on a slow seq, each seq comes out once, a failure
// is one more result, and the end waits for every seq below it.
TEST(reorder_buffer, unordered_releases_as_they_come_each_once_the_end_last) {
  reorder_buffer buf;
  buf.reset(false);
  std::vector<delivery> out;
  EXPECT_TRUE(buf.put(delivery::batch(2, {}, {})));
  EXPECT_TRUE(buf.put(delivery::end(4)));
  buf.release(out);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{2}));
  EXPECT_FALSE(buf.put(delivery::batch(2, {}, {})));  // a hedge's twin
  EXPECT_TRUE(buf.put(delivery::failure(0, errc::batch_failed, "no", 3)));
  EXPECT_TRUE(buf.put(delivery::batch(3, {}, {})));
  buf.release(out);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{2, 0, 3}));
  EXPECT_FALSE(buf.finished());  // a failure does not end a job run
  EXPECT_EQ(buf.next_seq(), 1u);
  EXPECT_TRUE(buf.put(delivery::batch(1, {}, {})));
  buf.release(out);
  EXPECT_EQ(seqs(out), (std::vector<std::uint64_t>{2, 0, 3, 1, 4}));
  EXPECT_EQ(out.back().what, delivery::kind::end);
  EXPECT_TRUE(buf.finished());
  buf.reset();  // in order again
  EXPECT_TRUE(buf.put(delivery::batch(1, {}, {})));
  out.clear();
  buf.release(out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace lockstep::detail
