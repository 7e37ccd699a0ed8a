// fingerprint_difference: the first difference, named as a user would look for it.
#include "lockstep/detail/fingerprint_diff.hpp"

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

std::string diff(const std::string& a, const std::string& b) {
  return fingerprint_difference(a, b, "A", "B").value_or("equal");
}

TEST(fingerprint_diff, equal_fingerprints_have_no_difference) {
  EXPECT_EQ(diff(R"({"a":1,"b":[1,2]})", R"({"a":1,"b":[1,2]})"), "equal");
  EXPECT_EQ(diff(R"({"a":1, "b":2})", R"({"b":2,"a":1})"), "equal");  // key order is not data
  EXPECT_EQ(diff("", ""), "equal");
}

TEST(fingerprint_diff, a_parameter_is_named_with_both_values) {
  EXPECT_EQ(diff(R"({"batch_size":32})", R"({"batch_size":16})"),
            "batch_size: 32 in A, 16 in B");
  EXPECT_EQ(diff(R"({"o":{"x":"1"}})", R"({"o":{"x":"2"}})"), "o.x: \"1\" in A, \"2\" in B");
  EXPECT_EQ(diff(R"({"a":1})", R"({"a":1,"b":null})"), "b: absent in A, null in B");
  EXPECT_EQ(diff(R"({"a":1,"b":2})", R"({"a":1})"), "b: 2 in A, absent in B");
}

TEST(fingerprint_diff, items_of_a_named_list_are_named) {
  auto list = [](const std::string& items) { return R"({"recordings":[)" + items + "]}"; };
  auto rec = [](const std::string& name, const std::string& samples) {
    return R"({"name":")" + name + R"(","samples":")" + samples + R"("})";
  };
  auto ab = list(rec("a", "1") + "," + rec("b", "2"));
  EXPECT_EQ(diff(ab, list(rec("a", "1") + "," + rec("b", "3"))),
            "recordings[b].samples: \"2\" in A, \"3\" in B");
  EXPECT_EQ(diff(ab, list(rec("b", "2") + "," + rec("a", "1"))),
            "recordings: item 1 is \"a\" in A, \"b\" in B");
  EXPECT_EQ(diff(ab, list(rec("a", "1"))), "recordings: 2 in A, 1 in B (\"b\" is only in A)");
  EXPECT_EQ(diff(list(rec("a", "1")), ab), "recordings: 1 in A, 2 in B (\"b\" is only in B)");
}

TEST(fingerprint_diff, long_values_are_cut_and_text_that_is_not_json_is_shown) {
  auto d = diff(R"({"w":")" + std::string(100, 'x') + R"("})", R"({"w":"y"})");
  EXPECT_LT(d.size(), 120u);
  EXPECT_NE(d.find("..."), std::string::npos);
  EXPECT_EQ(diff("abc", "abd"), "the fingerprint is abc in A, abd in B");
}

}  // namespace
}  // namespace lockstep::detail
