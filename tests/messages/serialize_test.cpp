// lockstep's serialization hook: what it writes is CAF's binary format, so
// digests of earlier releases stay valid; what it reads is checked.
#include "lockstep/messages/serialize.hpp"

#include <caf/binary_serializer.hpp>
#include <caf/meta/type_name.hpp>
#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/tensor.hpp"

namespace lockstep {
namespace {

struct reading {
  std::uint64_t id = 0;
  std::string where;
  std::vector<std::uint16_t> samples;
  std::vector<char> raw;
  bool ok = false;
  double scale = 0;
  friend bool operator==(const reading&, const reading&) = default;
};

template <class Archive>
void serialize(Archive& ar, reading& x) {
  ar(x.id, x.where, x.samples, x.raw, x.ok, x.scale);
}

// The same type as CAF 0.17 would have written it with an inspect().
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reading& x) {
  return f(caf::meta::type_name("reading"), x.id, x.where, x.samples, x.raw, x.ok, x.scale);
}

struct not_serializable {};

static_assert(serializable<reading>);
static_assert(serializable<std::vector<std::pair<int, std::string>>>);
static_assert(!serializable<not_serializable>);
static_assert(!serializable<std::vector<not_serializable>>);

const reading sample{12345678901234ULL, "Fpz-Cz", {1, 2, 65535}, {'x', '\0', 'y'}, true, 0.25};

TEST(serialize, round_trips_values_and_user_types) {
  EXPECT_EQ(decode<reading>(encode(sample)), sample);
  EXPECT_EQ(decode<std::int32_t>(encode(std::int32_t{-7})), -7);
  EXPECT_EQ(decode<std::string>(encode(std::string{"abc"})), "abc");
}

TEST(serialize, writes_cafs_binary_format_byte_for_byte) {
  std::vector<char> caf_bytes;
  caf::binary_serializer sink{nullptr, caf_bytes};
  auto copy = sample;
  ASSERT_FALSE(sink(copy));
  EXPECT_EQ(encode(sample), caf_bytes);
}

TEST(serialize, tensors_cross_as_raw_bytes_with_nan_and_infinity) {
  tensor<float> t{{2, 2}, {}};
  t.values = {1.5f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
              -0.0f};
  auto back = decode<tensor<float>>(encode(t));
  ASSERT_EQ(back.values.size(), 4u);
  EXPECT_EQ(std::memcmp(back.values.data(), t.values.data(), 4 * sizeof(float)), 0);
  EXPECT_EQ(back.shape, t.shape);
}

TEST(serialize, bad_input_is_refused_before_anything_is_allocated) {
  auto bytes = encode(std::vector<std::uint64_t>{1, 2, 3});
  bytes[0] = static_cast<char>(0xff);  // a count far beyond what follows
  bytes[1] = static_cast<char>(0xff);
  bytes[2] = static_cast<char>(0x7f);
  EXPECT_THROW(decode<std::vector<std::uint64_t>>(bytes), error);
  tensor<float> big{{1}, {}};
  big.values.resize(1000);
  auto huge = encode(big);
  huge.resize(100);  // claims 1000 floats, holds a few
  EXPECT_THROW(decode<tensor<float>>(huge), error);
  EXPECT_THROW(decode<std::uint64_t>(std::vector<char>(3)), error);
  auto extra = encode(std::uint8_t{1});
  extra.push_back(0);
  try {
    decode<std::uint8_t>(extra);
    FAIL();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::io_error);
    EXPECT_NE(std::string{e.what()}.find("left over"), std::string::npos);
  }
}

}  // namespace
}  // namespace lockstep
