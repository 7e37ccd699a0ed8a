// lockstep's log: its level and sink are set through lockstep's own API.
#include "lockstep/runtime/log.hpp"

#include <gtest/gtest.h>

#include "lockstep/detail/logger.hpp"

namespace lockstep {
namespace {

struct log_test : ::testing::Test {
  std::vector<std::pair<log_level, std::string>> lines;
  log_level saved = get_log_level();
  void SetUp() override {
    set_log_sink([this](log_level l, std::string_view text) { lines.emplace_back(l, text); });
  }
  void TearDown() override {
    set_log_sink(nullptr);
    set_log_level(saved);
  }
};

TEST_F(log_test, lines_below_the_level_are_dropped) {
  set_log_level(log_level::warning);
  detail::logger().info("quiet {}", 1);
  detail::logger().warn("loud {}", 2);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].first, log_level::warning);
  EXPECT_EQ(lines[0].second, "loud 2");
  set_log_level(log_level::off);
  detail::logger().error("gone");
  EXPECT_EQ(lines.size(), 1u);
  set_log_level(log_level::info);
  detail::logger().info("now");
  EXPECT_EQ(lines.size(), 2u);
}

TEST_F(log_test, level_names_are_read_and_others_refused) {
  log_level l = log_level::off;
  EXPECT_TRUE(parse_log_level("warn", l));
  EXPECT_EQ(l, log_level::warning);
  EXPECT_TRUE(parse_log_level("debug", l));
  EXPECT_EQ(l, log_level::debug);
  EXPECT_FALSE(parse_log_level("loud", l));
  EXPECT_EQ(l, log_level::debug);
}

}  // namespace
}  // namespace lockstep
