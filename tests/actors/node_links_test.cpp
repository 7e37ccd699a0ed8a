// The node-link state machine, without messaging.
#include "lockstep/detail/node_links.hpp"

#include <gtest/gtest.h>

namespace lockstep::detail {
namespace {

using phase = node_links::phase;

node_links two() {
  return node_links{{{"a", 1}, {"b", 2}}};
}

msg::node_welcome joined(std::size_t workers) {
  msg::node_welcome w{msg::protocol_version, {}, {}, {}};
  w.workers.resize(workers);
  return w;
}

TEST(node_links, the_report_waits_for_every_node_to_join_refuse_or_fail_past_the_deadline) {
  auto links = two();
  EXPECT_FALSE(links.settled());
  std::optional<note> n;
  EXPECT_TRUE(links.welcome(0, joined(2), n));
  EXPECT_EQ(links.state(0), phase::connected);
  EXPECT_EQ(links.workers(0), 2u);
  EXPECT_FALSE(links.settled());
  links.unreachable(1, "unreachable (refused)", 1000);
  EXPECT_FALSE(links.settled());  // within the first round: tried again
  EXPECT_TRUE(links.reconnect_due(1));
  links.deadline_passed();
  auto report = links.settled();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->refusals.empty());  // unreachable is not a refusal: it is retried
  EXPECT_EQ(report->joined_workers, 2u);
  EXPECT_TRUE(links.reconnect_due(1));
}

TEST(node_links, a_node_that_fails_early_in_the_first_round_joins_it_on_a_retry) {
  auto links = two();
  std::optional<note> n;
  links.welcome(0, joined(1), n);
  EXPECT_TRUE(links.unreachable(1, "no answer to the handshake", 100));
  links.connecting(1);
  EXPECT_TRUE(links.welcome(1, joined(2), n));
  auto report = links.settled();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->joined_workers, 3u);
}

TEST(node_links, a_refusal_on_a_retry_within_the_first_round_reaches_the_report) {
  auto links = two();
  std::optional<note> n;
  links.welcome(0, joined(1), n);
  links.unreachable(1, "x", 100);
  links.connecting(1);
  EXPECT_FALSE(
    links.welcome(1, msg::node_welcome{msg::protocol_version, errc::unknown_source, "no", {}}, n));
  EXPECT_FALSE(n);  // not logged: the client hears of it
  auto report = links.settled();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->code, errc::unknown_source);
  ASSERT_EQ(report->refusals.size(), 1u);
}

TEST(node_links, an_attempt_under_way_at_the_deadline_is_waited_for) {
  auto links = two();
  std::optional<note> n;
  links.welcome(0, joined(1), n);
  links.unreachable(1, "x", 100);
  links.connecting(1);
  links.deadline_passed();
  EXPECT_FALSE(links.settled());
  links.unreachable(1, "x", 100);
  EXPECT_TRUE(links.settled());
}

TEST(node_links, a_transient_error_is_logged_once_until_it_changes) {
  auto links = two();
  EXPECT_TRUE(links.unreachable(0, "unreachable (x)", 100));
  links.connecting(0);
  EXPECT_FALSE(links.unreachable(0, "unreachable (x)", 100));
  links.connecting(0);
  auto n = links.unreachable(0, "no answer", 100);
  ASSERT_TRUE(n);
  EXPECT_NE(n->line.find("a:1"), std::string::npos);
  EXPECT_NE(n->line.find("every 100 ms"), std::string::npos);
}

TEST(node_links, a_refusal_is_final_and_named_in_the_report) {
  auto links = two();
  std::optional<note> n;
  auto refusal = msg::node_welcome{msg::protocol_version, errc::not_authorized, "bad token", {}};
  EXPECT_FALSE(links.welcome(0, refusal, n));
  EXPECT_FALSE(n);  // the first round's refusals reach the client, not the log
  EXPECT_EQ(links.state(0), phase::refused);
  EXPECT_FALSE(links.reconnect_due(0));
  links.welcome(1, joined(1), n);
  auto report = links.settled();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->code, errc::not_authorized);
  ASSERT_EQ(report->refusals.size(), 1u);
  EXPECT_EQ(report->refusals[0], "node a:1: bad token");
}

TEST(node_links, a_node_refusing_for_its_data_is_skipped_not_fatal) {
  auto links = two();
  std::optional<note> n;
  EXPECT_FALSE(links.welcome(
    0, msg::node_welcome{msg::protocol_version, errc::source_mismatch, "other data", {}}, n));
  EXPECT_EQ(links.state(0), phase::refused);
  links.welcome(1, joined(3), n);
  auto report = links.settled();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->refusals.empty());
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_EQ(report->skipped[0], "node a:1: other data");
  EXPECT_EQ(report->skipped_code, errc::source_mismatch);
  EXPECT_EQ(report->joined_workers, 3u);
}

TEST(node_links, another_protocol_version_is_refused_naming_both) {
  auto links = two();
  std::optional<note> n;
  auto w = joined(2);
  w.protocol = msg::protocol_version + 1;
  EXPECT_FALSE(links.welcome(0, w, n));
  links.unreachable(1, "x", 1);
  links.deadline_passed();
  auto report = links.settled();
  ASSERT_TRUE(report && report->refusals.size() == 1);
  EXPECT_EQ(report->code, errc::version_mismatch);
  EXPECT_NE(report->refusals[0].find(std::to_string(msg::protocol_version + 1)), std::string::npos);
}

TEST(node_links, a_refusal_after_the_first_round_goes_to_the_log) {
  auto links = two();
  links.unreachable(0, "x", 1);
  links.deadline_passed();
  links.connecting(0);
  std::optional<note> n;
  links.welcome(0, msg::node_welcome{msg::protocol_version, errc::unknown_source, "no", {}}, n);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->level, event_level::error);
}

TEST(node_links, a_node_is_lost_with_its_last_worker_and_then_reconnected) {
  auto links = two();
  std::optional<note> n;
  links.welcome(0, joined(2), n);
  EXPECT_FALSE(links.worker_lost(0, "down"));
  EXPECT_EQ(links.state(0), phase::connected);
  auto lost = links.worker_lost(0, "remote_link_unreachable");
  ASSERT_TRUE(lost);
  EXPECT_NE(lost->line.find("lost"), std::string::npos);
  EXPECT_TRUE(links.reconnect_due(0));
  EXPECT_NE(links.summary().find("node a:1: lost (remote_link_unreachable)"), std::string::npos);
  links.connecting(0);
  EXPECT_FALSE(links.reconnect_due(0));
  EXPECT_TRUE(links.welcome(0, joined(1), n));
  EXPECT_EQ(links.workers(0), 1u);
}

}  // namespace
}  // namespace lockstep::detail
