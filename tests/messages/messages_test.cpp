// Every serializable message survives CAF's binary format under its name,
// so nodes that register the same names understand each other.
#include "lockstep/messages/messages.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

namespace lockstep {
namespace {

struct messages_test : ::testing::Test {
  struct cfg_t : caf::actor_system_config {
    cfg_t() { msg::register_messages(*this); }
  } cfg;
  caf::actor_system sys{cfg};

  // Serializes `x` inside a message and reads it back.
  template <class T>
  T round_trip(const T& x) {
    auto m = caf::make_message(x);
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    EXPECT_FALSE(sink(m));
    caf::message back;
    caf::binary_deserializer source{sys, buf};
    EXPECT_FALSE(source(back));
    EXPECT_TRUE(back.match_elements<T>()) << "type not registered: " << typeid(T).name();
    return back.get_as<T>(0);
  }
};

TEST_F(messages_test, worker_ready_round_trips) {
  msg::worker_ready x{7, 42, 3, true, "boom"};
  auto y = round_trip(x);
  EXPECT_EQ(y.epoch, 7u);
  EXPECT_EQ(y.seq, 42u);
  EXPECT_EQ(y.attempt, 3u);
  EXPECT_TRUE(y.failed);
  EXPECT_EQ(y.error, "boom");
}

TEST_F(messages_test, run_messages_round_trip) {
  EXPECT_EQ(round_trip(msg::halt_run{5}).epoch, 5u);
  auto f = round_trip(msg::batch_failed{1, 2, 3, "why"});
  EXPECT_EQ(f.seq, 2u);
  EXPECT_EQ(f.error, "why");
  auto rf = round_trip(msg::run_failed{1, errc::no_workers, "gone"});
  EXPECT_EQ(rf.code, errc::no_workers);
  EXPECT_EQ(round_trip(msg::run_end{1, 9}).seq, 9u);
  EXPECT_EQ(round_trip(msg::credit_returned{4}).epoch, 4u);
  EXPECT_EQ(round_trip(msg::retry_due{4, 8}).seq, 8u);
  EXPECT_EQ(round_trip(msg::materialize_next{6}).epoch, 6u);
  EXPECT_EQ(round_trip(msg::stop_cmd{3}).epoch, 3u);
  EXPECT_EQ(round_trip(msg::worker_lost{{}, true, "down"}).reason, "down");
}

}  // namespace
}  // namespace lockstep
