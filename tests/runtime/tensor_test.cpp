#include "lockstep/runtime/tensor.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/serialize.hpp"

namespace lockstep {
namespace {

TEST(tensor, floats_cross_the_serializer_bit_for_bit) {
  tensor<float> t;
  t.shape = {2, 3};
  t.values = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
              -std::numeric_limits<float>::infinity(), -0.0f,
              std::numeric_limits<float>::denorm_min(), 1.5f};
  std::uint32_t payload = 0x7fc01234;  // a NaN with payload bits
  std::memcpy(&t.values[0], &payload, 4);
  auto back = decode<tensor<float>>(encode(t));
  EXPECT_EQ(back.shape, t.shape);
  ASSERT_EQ(back.values.size(), 6u);
  EXPECT_EQ(std::memcmp(back.values.data(), t.values.data(), 6 * sizeof(float)), 0);
  EXPECT_EQ(t.size(), 6u);
}

TEST(tensor, raw_bytes_follow_the_count) {
  tensor<std::uint8_t> t{{3}, {7, 8, 9}};
  auto bytes = encode(t);
  ASSERT_GE(bytes.size(), 3u);
  EXPECT_EQ(std::vector<char>(bytes.end() - 3, bytes.end()), (std::vector<char>{7, 8, 9}));
}

TEST(tensor, short_input_is_an_error_not_a_huge_allocation) {
  tensor<float> t{{4}, {1, 2, 3, 4}};
  auto bytes = encode(t);
  std::vector<char> cut(bytes.begin(), bytes.end() - 1);
  EXPECT_THROW(decode<tensor<float>>(cut), error);
  // A count claiming 2^60 elements (CAF writes integers big-endian).
  auto lying = encode(tensor<float>{{1}, {}});
  for (int i = 0; i < 8; ++i)
    lying[lying.size() - 8 + static_cast<std::size_t>(i)] = i == 0 ? 0x10 : 0;
  EXPECT_THROW(decode<tensor<float>>(lying), error);
}

// What a reader carrying a pool reads (outputs from nodes) takes a block of
// that pool, one the client released when there is one; without a pool,
// fresh memory as before. Plain std::vectors cannot hold a pool and ignore it.
TEST(tensor, a_reader_with_a_pool_reads_values_into_its_blocks) {
  struct two {
    tensor<float> t;
    tensor<std::uint8_t>::values_type bytes;
    std::vector<std::uint8_t> plain;
  };
  auto write = [](const two& x) {
    std::vector<char> out;
    detail::byte_writer w{out};
    auto copy = x;
    w(copy.t, copy.bytes, copy.plain);
    return out;
  };
  auto read = [](const std::vector<char>& in, std::shared_ptr<output_pool> pool) {
    two x;
    detail::byte_reader r{in.data(), in.size()};
    r.set_pool(std::move(pool));
    r(x.t, x.bytes, x.plain);
    return x;
  };
  two sent{{{2, 3}, {1, 2, 3, 4, 5, 6}}, {}, {4, 5}};
  sent.bytes.assign({9, 8, 7});
  auto bytes = write(sent);
  auto pool = std::make_shared<output_pool>(1 << 20);
  const void* first_block = nullptr;
  {
    auto got = read(bytes, pool);
    EXPECT_EQ(got.t, sent.t);
    EXPECT_EQ(got.bytes, sent.bytes);
    EXPECT_EQ(got.plain, sent.plain);
    EXPECT_EQ(got.t.values.get_allocator().pool(), pool);
    EXPECT_EQ(got.bytes.get_allocator().pool(), pool);
    first_block = got.t.values.data();
    EXPECT_EQ(pool->stats().made, 2u);
  }
  auto again = read(bytes, pool);
  EXPECT_EQ(again.t.values.data(), first_block);
  EXPECT_EQ(pool->stats().reused, 2u);
  EXPECT_EQ(again.t, sent.t);
  auto unpooled = read(bytes, nullptr);
  EXPECT_EQ(unpooled.t.values.get_allocator().pool(), nullptr);
  EXPECT_EQ(unpooled.bytes.get_allocator().pool(), nullptr);
  EXPECT_EQ(unpooled.bytes, sent.bytes);
}

}  // namespace
}  // namespace lockstep
