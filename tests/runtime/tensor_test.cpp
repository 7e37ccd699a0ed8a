#include "lockstep/runtime/tensor.hpp"

#include <cmath>
#include <cstring>
#include <limits>

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

}  // namespace
}  // namespace lockstep
