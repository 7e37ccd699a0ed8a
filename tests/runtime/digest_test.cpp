#include "lockstep/runtime/digest.hpp"

#include <gtest/gtest.h>

namespace lockstep {
namespace {

// Reference values from the xxHash project's xxhsum (-H1, seed 0).
TEST(digest, matches_reference_xxh64) {
  EXPECT_EQ(xxh64("", 0), 0xef46db3751d8e999ULL);
  EXPECT_EQ(xxh64("abc", 3), 0x44bc2cf5ad770999ULL);
  std::vector<char> zeros(100, 0);
  EXPECT_EQ(xxh64(zeros.data(), zeros.size()), 0x17bb1103c92c502fULL);
  std::vector<char> ramp(1000);
  for (std::size_t i = 0; i < ramp.size(); ++i)
    ramp[i] = static_cast<char>(i % 251);
  EXPECT_EQ(xxh64(ramp.data(), ramp.size()), 0xf306f04aa88b54d3ULL);
}

TEST(digest, hex_is_sixteen_lowercase_digits) {
  EXPECT_EQ(digest_hex({'a', 'b', 'c'}), "44bc2cf5ad770999");
  EXPECT_EQ(digest_hex({}), "ef46db3751d8e999");
}

}  // namespace
}  // namespace lockstep
