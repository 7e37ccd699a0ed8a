// Outputs through shared memory: a segment opens only with its nonce, a ring
// gives back exactly what was put, in order, reuses the bytes its reader
// freed, refuses what does not fit, and never trusts a slot it is handed.
#include "lockstep/detail/shm_ring.hpp"

#include <gtest/gtest.h>

#include <deque>

#include <cstring>
#include <sys/mman.h>
#include <fcntl.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/output_pool.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep {
namespace {

using detail::shm_ring;
using detail::shm_segment;
using detail::shm_slot;
using detail::box;

const detail::output_codec& codec() {
  return detail::output_codec_of<synthetic_output>();
}

box output(std::uint64_t index, std::size_t bytes) {
  auto out = std::make_shared<synthetic_output>();
  out->index = index;
  out->bytes.resize(bytes);
  for (std::size_t i = 0; i < bytes; ++i)
    out->bytes[i] = static_cast<std::uint8_t>(index * 31 + i);
  return out;
}

const synthetic_output& as_output(const box& b) {
  return *static_cast<const synthetic_output*>(b.get());
}

bool name_exists(const std::string& name) {
  int fd = ::shm_open(name.c_str(), O_RDONLY, 0);
  if (fd >= 0)
    ::close(fd);
  return fd >= 0;
}

TEST(shm_ring, a_segment_opens_by_name_with_its_nonce_and_its_name_goes_with_unlink) {
  auto made = shm_segment::create(1 << 20);
  EXPECT_EQ(made->size(), 1u << 20);
  auto opened = shm_segment::open(made->name(), made->nonce(), made->size());
  std::memcpy(made->base() + 4096, "shared", 6);
  EXPECT_EQ(std::string(opened->base() + 4096, 6), "shared");

  auto other = made->nonce();
  other[0] = static_cast<char>(other[0] ^ 1);
  EXPECT_THROW(shm_segment::open(made->name(), other, made->size()), error);
  EXPECT_THROW(shm_segment::open(made->name(), made->nonce(), made->size() / 2), error);
  EXPECT_THROW(shm_segment::open("/not-lockstep", made->nonce(), made->size()), error);

  EXPECT_TRUE(name_exists(made->name()));
  made->unlink();
  EXPECT_FALSE(name_exists(made->name()));
  EXPECT_THROW(shm_segment::open(made->name(), made->nonce(), made->size()), error);
  // The mappings outlive the name.
  EXPECT_EQ(std::string(opened->base() + 4096, 6), "shared");
}

TEST(shm_ring, a_segment_that_is_not_unlinked_is_removed_with_its_creator) {
  std::string name;
  {
    auto made = shm_segment::create(1 << 20);
    name = made->name();
    EXPECT_TRUE(name_exists(name));
  }
  EXPECT_FALSE(name_exists(name));
}

TEST(shm_ring, regions_split_the_segment_without_overlap) {
  auto seg = shm_segment::create(1 << 20);
  seg->unlink();
  std::size_t end = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    auto r = seg->region_of(3, i);
    EXPECT_GE(r.offset, end);
    EXPECT_EQ(r.offset % 64, 0u);
    EXPECT_EQ(r.size % 64, 0u);
    end = r.offset + r.size;
  }
  EXPECT_LE(end, seg->size());
}

// Writer and reader over the same region, as a node and its batcher.
struct shm_ring_pair : ::testing::Test {
  std::shared_ptr<shm_segment> made = shm_segment::create(1 << 20);
  std::shared_ptr<shm_segment> opened =
    shm_segment::open(made->name(), made->nonce(), made->size());
  shm_ring reader{made, made->region_of(1, 0)};
  shm_ring writer{opened, opened->region_of(1, 0)};
  // Both sides have mapped it: a test killed mid-way leaves no name behind.
  shm_ring_pair() { made->unlink(); }
};

// The reader stays three outputs behind, so the ring never empties and
// records of sizes that do not divide it skip its end, lap after lap.
TEST_F(shm_ring_pair, outputs_come_back_whole_and_in_order_across_many_wraps) {
  std::deque<std::pair<shm_slot, std::uint64_t>> out;
  std::uint64_t next = 0;
  std::uint64_t skipped_end = 0;
  auto read_one = [&] {
    auto [slot, index] = out.front();
    out.pop_front();
    auto back = reader.take(codec(), slot);
    EXPECT_EQ(as_output(back), as_output(output(index, 100'000 + 7 * index)));
    EXPECT_EQ(index, next++);
  };
  std::uint64_t last_end = 0;
  for (std::uint64_t i = 0; i < 400; ++i) {
    auto slot = writer.put(codec(), output(i, 100'000 + 7 * i));
    ASSERT_TRUE(slot) << i;
    skipped_end += slot->pos != last_end ? 1 : 0;
    last_end = slot->pos + slot->size;
    out.emplace_back(*slot, i);
    if (out.size() > 3)
      read_one();
  }
  while (!out.empty())
    read_one();
  EXPECT_EQ(next, 400u);
  EXPECT_GE(skipped_end, 20u);
}

// A reader that keeps up: each output starts at the ring's beginning, where
// the bytes are still in the caches.
TEST_F(shm_ring_pair, a_ring_read_to_its_end_starts_again_at_its_beginning) {
  for (std::uint64_t i = 0; i < 20; ++i) {
    auto slot = writer.put(codec(), output(i, 50'000));
    ASSERT_TRUE(slot);
    EXPECT_EQ(slot->pos % reader.capacity(), 0u) << i;
    EXPECT_EQ(as_output(reader.take(codec(), *slot)).index, i);
  }
  // Unread, the next goes after it.
  auto first = writer.put(codec(), output(20, 50'000));
  auto second = writer.put(codec(), output(21, 50'000));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->pos, first->pos + first->size);
  EXPECT_EQ(as_output(reader.take(codec(), *first)).index, 20u);
  EXPECT_EQ(as_output(reader.take(codec(), *second)).index, 21u);
}

// An output too large for the caches keeps going round the ring: restarting
// would only have both processes take the same lines from each other.
TEST(shm_ring, a_large_output_keeps_going_round_the_ring) {
  auto made = shm_segment::create(32 << 20);
  made->unlink();
  shm_ring ring{made, made->region_of(1, 0)};
  auto first = ring.put(codec(), output(1, 5 << 20));
  ASSERT_TRUE(first);
  EXPECT_EQ(as_output(ring.take(codec(), *first)).index, 1u);
  auto second = ring.put(codec(), output(2, 5 << 20));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->pos, first->pos + first->size);
  EXPECT_EQ(as_output(ring.take(codec(), *second)).index, 2u);
}

TEST_F(shm_ring_pair, a_full_ring_refuses_until_its_reader_frees) {
  std::vector<shm_slot> held;
  while (auto slot = writer.put(codec(), output(held.size(), 200'000)))
    held.push_back(*slot);
  ASSERT_GE(held.size(), 4u);
  EXPECT_LE(held.size(), 5u);  // the region is just under 1 MiB
  EXPECT_FALSE(writer.put(codec(), output(9, 200'000)));
  reader.release(held.front());  // a stale result: freed unread
  auto again = writer.put(codec(), output(9, 200'000));
  ASSERT_TRUE(again);
  for (std::size_t i = 1; i < held.size(); ++i)
    EXPECT_EQ(as_output(reader.take(codec(), held[i])).index, i);
  EXPECT_EQ(as_output(reader.take(codec(), *again)).index, 9u);
}

TEST_F(shm_ring_pair, an_output_larger_than_the_ring_is_refused) {
  EXPECT_FALSE(writer.put(codec(), output(1, 2 << 20)));
  auto small = writer.put(codec(), output(2, 10));
  ASSERT_TRUE(small);
  EXPECT_EQ(as_output(reader.take(codec(), *small)).index, 2u);
}

// Writes nothing, as an output type with no fields does.
struct empty_codec final : detail::output_codec {
  void save(writer&, const box&) const override {}
  box load(reader&) const override { return std::make_shared<int>(0); }
};

TEST_F(shm_ring_pair, an_output_of_no_bytes_goes_on_the_socket) {
  empty_codec none;
  EXPECT_FALSE(writer.put(none, std::make_shared<int>(0)));
}

TEST_F(shm_ring_pair, a_slot_outside_the_ring_is_refused_and_nothing_is_read) {
  auto cap = reader.capacity();
  EXPECT_THROW(reader.take(codec(), shm_slot{0, 0}), error);
  EXPECT_THROW(reader.take(codec(), shm_slot{0, cap + 1}), error);
  EXPECT_THROW(reader.take(codec(), shm_slot{cap - 10, 20}), error);
  // A reader that freed past the head leaves the writer a whole, empty ring.
  auto slot = writer.put(codec(), output(3, 1000));
  ASSERT_TRUE(slot);
  EXPECT_EQ(as_output(reader.take(codec(), *slot)).index, 3u);
}

// Reads like synthetic_output's codec, then fails, as bytes that do not decode.
struct failing_codec final : detail::output_codec {
  void save(writer& w, const box& b) const override { codec().save(w, b); }
  box load(reader&) const override { throw error(errc::io_error, "bytes that do not decode"); }
};

TEST_F(shm_ring_pair, bytes_that_do_not_decode_are_refused_and_freed) {
  std::vector<shm_slot> held;
  while (auto slot = writer.put(codec(), output(held.size(), 200'000)))
    held.push_back(*slot);
  ASSERT_FALSE(writer.put(codec(), output(9, 200'000)));
  failing_codec bad;
  EXPECT_THROW(reader.take(bad, held.front()), error);
  EXPECT_TRUE(writer.put(codec(), output(9, 200'000)));
}

TEST_F(shm_ring_pair, what_is_read_takes_its_memory_from_the_receive_pool) {
  auto pool = std::make_shared<output_pool>(8 << 20);
  codec().receive_into(pool);
  auto slot = writer.put(codec(), output(6, 300'000));
  ASSERT_TRUE(slot);
  auto back = reader.take(codec(), *slot);
  EXPECT_EQ(static_cast<const synthetic_output*>(back.get())->bytes.get_allocator().pool(), pool);
  back.reset();
  codec().receive_into({});
}

}  // namespace
}  // namespace lockstep
