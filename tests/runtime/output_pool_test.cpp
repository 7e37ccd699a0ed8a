#include "lockstep/runtime/output_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "lockstep/messages/serialize.hpp"
#include "lockstep/runtime/tensor.hpp"

namespace lockstep {
namespace {

constexpr std::size_t mb = 1 << 20;

TEST(output_pool, a_released_block_is_handed_out_again) {
  output_pool pool{4 * mb};
  void* a = pool.allocate(mb);
  pool.deallocate(a, mb);
  EXPECT_EQ(pool.allocate(mb), a);
  auto s = pool.stats();
  EXPECT_EQ(s.made, 1u);
  EXPECT_EQ(s.reused, 1u);
  EXPECT_EQ(s.idle_blocks, 0u);
  pool.deallocate(a, mb);
}

TEST(output_pool, a_pooled_tensor_reuses_the_memory_of_the_one_before) {
  auto pool = std::make_shared<output_pool>(4 * mb);
  const float* first = nullptr;
  {
    tensor<float> t{{1000}, pooled_values<float>(pool, 1000)};
    first = t.values.data();
    EXPECT_EQ(t.values.size(), 1000u);
    EXPECT_EQ(t.values.capacity(), 1000u);  // exactly: a block per shape, one size
  }
  tensor<float> again{{1000}, pooled_values<float>(pool, 1000)};
  EXPECT_EQ(again.values.data(), first);
  EXPECT_EQ(pool->stats().reused, 1u);
}

TEST(output_pool, the_bound_in_bytes_is_kept) {
  output_pool pool{3 * mb};
  std::vector<void*> blocks;
  for (int i = 0; i < 5; ++i)
    blocks.push_back(pool.allocate(mb));
  for (auto* b : blocks)
    pool.deallocate(b, mb);
  auto s = pool.stats();
  EXPECT_EQ(s.idle_blocks, 3u);
  EXPECT_EQ(s.idle_bytes, 3 * mb);
  EXPECT_EQ(s.kept, 3u);
  EXPECT_EQ(s.dropped, 2u);
  // A block larger than the whole bound is never kept.
  output_pool small{mb};
  small.deallocate(small.allocate(2 * mb), 2 * mb);
  EXPECT_EQ(small.stats().idle_blocks, 0u);
  EXPECT_EQ(small.stats().dropped, 1u);
}

TEST(output_pool, distinct_sizes_do_not_mix) {
  output_pool pool{8 * mb};
  void* a = pool.allocate(mb);
  pool.deallocate(a, mb);
  void* b = pool.allocate(mb + 4);  // not a's size: made anew
  EXPECT_NE(b, a);
  EXPECT_EQ(pool.stats().made, 2u);
  pool.deallocate(b, mb + 4);
  EXPECT_EQ(pool.allocate(mb), a);
  EXPECT_EQ(pool.allocate(mb + 4), b);
  pool.deallocate(a, mb);
  pool.deallocate(b, mb + 4);
}

TEST(output_pool, sizes_beyond_its_classes_are_freed_and_an_emptied_class_is_reused) {
  output_pool pool{64 * mb};
  std::vector<void*> blocks;
  for (std::size_t i = 0; i <= output_pool::size_classes; ++i)
    blocks.push_back(pool.allocate(1024 * (i + 1)));
  for (std::size_t i = 0; i <= output_pool::size_classes; ++i)
    pool.deallocate(blocks[i], 1024 * (i + 1));
  auto s = pool.stats();
  EXPECT_EQ(s.kept, output_pool::size_classes);
  EXPECT_EQ(s.dropped, 1u);  // the ninth size found no class
  // Taking the first size's block empties its class; another size may use it.
  EXPECT_EQ(pool.allocate(1024), blocks[0]);
  void* other = pool.allocate(100 * 1024);
  pool.deallocate(other, 100 * 1024);
  EXPECT_EQ(pool.stats().kept, output_pool::size_classes + 1);
  EXPECT_EQ(pool.allocate(100 * 1024), other);
  pool.deallocate(other, 100 * 1024);
  pool.deallocate(blocks[0], 1024);
}

TEST(output_pool, a_pooled_tensor_outlives_its_pool) {
  auto pool = std::make_shared<output_pool>(4 * mb);
  std::weak_ptr<output_pool> watch = pool;
  std::optional<tensor<float>> t;
  t.emplace(tensor<float>{{3}, pooled_values<float>(pool, 3)});
  pool.reset();  // the source is gone; the tensor holds the pool
  ASSERT_FALSE(watch.expired());
  t->values[0] = 1;
  t->values[2] = 3;
  t.reset();  // the block returns to the pool, and the pool dies with it
  EXPECT_TRUE(watch.expired());
}

TEST(output_pool, a_pooled_tensor_is_a_value_that_serializes_as_a_plain_one) {
  auto pool = std::make_shared<output_pool>(4 * mb);
  tensor<float> pooled{{2, 2}, pooled_values<float>(pool, 4)};
  pooled.values = {1, 2, 3, 4};  // copy assignment keeps the pool's block
  tensor<float> plain{{2, 2}, {1, 2, 3, 4}};
  EXPECT_EQ(pooled.values.get_allocator().pool(), pool);
  EXPECT_EQ(pooled, plain);
  EXPECT_EQ(encode(pooled), encode(plain));
  // What arrives from a node uses no pool.
  auto back = decode<tensor<float>>(encode(pooled));
  EXPECT_EQ(back, plain);
  EXPECT_EQ(back.values.get_allocator().pool(), nullptr);
  // A copy is plain memory; a move takes the block and its pool, in O(1).
  auto copy = pooled;
  EXPECT_EQ(copy, plain);
  EXPECT_EQ(copy.values.get_allocator().pool(), nullptr);
  const float* block = pooled.values.data();
  tensor<float> moved;
  moved = std::move(pooled);
  EXPECT_EQ(moved.values.data(), block);
  EXPECT_EQ(moved.values.get_allocator().pool(), pool);
  moved = plain;  // copy assignment into a pooled vector keeps its allocator
  EXPECT_EQ(moved.values.get_allocator().pool(), pool);
  EXPECT_EQ(moved, plain);
}

// A bounded queue from the allocating threads to the freeing ones, as the
// collector hands outputs to the client.
class handoff {
 public:
  explicit handoff(std::size_t capacity) : capacity_(capacity) {}
  void push(tensor<std::uint32_t> t) {
    std::unique_lock lock{mutex_};
    room_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(t));
    ready_.notify_one();
  }
  std::optional<tensor<std::uint32_t>> pop() {
    std::unique_lock lock{mutex_};
    ready_.wait(lock, [&] { return !items_.empty() || producers_ == 0; });
    if (items_.empty())
      return std::nullopt;
    auto t = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return t;
  }
  void add_producer() {
    std::lock_guard lock{mutex_};
    ++producers_;
  }
  void producer_done() {
    std::lock_guard lock{mutex_};
    --producers_;
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<tensor<std::uint32_t>> items_;
  std::size_t capacity_;
  int producers_ = 0;
};

// Every element names its producer, its item and its index: a block handed
// out twice at once, or reused while held, shows as a wrong word.
std::uint32_t word(std::uint32_t producer, std::uint32_t item, std::size_t i) {
  return producer * 0x01000000u + (item & 0xffffu) * 0x100u + static_cast<std::uint32_t>(i & 0xffu);
}

TEST(output_pool, stress_many_allocating_threads_and_several_freeing_ones) {
  constexpr std::uint32_t producers = 3, consumers = 2, items = 3000;
  // Three sizes and a bound of four of the largest blocks, below what is
  // live at once, so blocks are kept, reused and dropped all through the run.
  constexpr std::size_t sizes[] = {1024, 4096, 16384};
  auto pool = std::make_shared<output_pool>(4 * 16384 * sizeof(std::uint32_t));
  handoff queue{8};
  std::atomic<std::uint64_t> checked{0}, bad{0};
  std::vector<std::thread> threads;
  for (std::uint32_t p = 0; p < producers; ++p) {
    queue.add_producer();
    threads.emplace_back([&, p] {
      for (std::uint32_t k = 0; k < items; ++k) {
        auto n = sizes[(p + k) % 3];
        tensor<std::uint32_t> t{{p, k}, pooled_values<std::uint32_t>(pool, n)};
        for (std::size_t i = 0; i < n; ++i)
          t.values[i] = word(p, k, i);
        queue.push(std::move(t));
      }
      queue.producer_done();
    });
  }
  for (std::uint32_t c = 0; c < consumers; ++c)
    threads.emplace_back([&] {
      while (auto t = queue.pop()) {
        auto p = static_cast<std::uint32_t>(t->shape[0]);
        auto k = static_cast<std::uint32_t>(t->shape[1]);
        if (t->values.size() != sizes[(p + k) % 3])
          ++bad;
        for (std::size_t i = 0; i < t->values.size(); ++i)
          if (t->values[i] != word(p, k, i)) {
            ++bad;
            break;
          }
        // Scribble before freeing, so a block reused while still held
        // elsewhere would be caught by that holder's check.
        std::memset(t->values.data(), 0xab, t->values.size() * sizeof(std::uint32_t));
        ++checked;
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(checked, producers * items);
  EXPECT_EQ(bad, 0u);
  auto s = pool->stats();
  EXPECT_EQ(s.made + s.reused, producers * items);
  EXPECT_EQ(s.kept + s.dropped, producers * items);
  EXPECT_GT(s.reused, s.made);  // recycling, not just allocating
  EXPECT_LE(s.idle_bytes, pool->max_idle_bytes());
}

}  // namespace
}  // namespace lockstep
