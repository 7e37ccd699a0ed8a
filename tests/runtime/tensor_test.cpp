#include "lockstep/runtime/tensor.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include <caf/binary_deserializer.hpp>
#include <caf/deep_to_string.hpp>
#include <gtest/gtest.h>

#include "lockstep/runtime/encode.hpp"

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
  auto bytes = encode(t);
  tensor<float> back;
  caf::binary_deserializer source{nullptr, bytes};
  ASSERT_FALSE(source(back));
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
  tensor<float> back;
  caf::binary_deserializer source{nullptr, cut};
  EXPECT_TRUE(source(back));
  // A count claiming 2^60 elements.
  auto lying = encode(tensor<float>{{1}, {}});
  std::uint64_t huge = std::uint64_t{1} << 60;
  std::memcpy(lying.data() + lying.size() - 8, &huge, 8);
  caf::binary_deserializer source2{nullptr, lying};
  EXPECT_TRUE(source2(back));
}

TEST(tensor, prints_through_caf) {
  tensor<std::uint8_t> t{{2}, {1, 2}};
  EXPECT_NE(caf::deep_to_string(t).find("1, 2"), std::string::npos) << caf::deep_to_string(t);
}

}  // namespace
}  // namespace lockstep
