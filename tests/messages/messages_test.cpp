// Every message that crosses to nodes survives CAF's binary format under its
// registered name, so nodes that register the same names understand each
// other; outputs cross typed, through the codec of their type.
#include "lockstep/detail/messages.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <gtest/gtest.h>

#include "lockstep/detail/output_codec.hpp"
#include "lockstep/runtime/output_pool.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep {
namespace {

namespace msg = detail::msg;

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

TEST_F(messages_test, handshake_round_trips) {
  auto h = round_trip(
    msg::node_hello{msg::protocol_version, "tok", "synthetic", "{}", "T", "{\"a\":1}", {},
                    "/lockstep-1-ab", std::string(16, '\x07'), 1u << 20});
  EXPECT_EQ(h.protocol, msg::protocol_version);
  EXPECT_EQ(h.token, "tok");
  EXPECT_EQ(h.source, "synthetic");
  EXPECT_EQ(h.params, "{}");
  EXPECT_EQ(h.output_type, "T");
  EXPECT_EQ(h.fingerprint, "{\"a\":1}");
  EXPECT_EQ(h.shm_name, "/lockstep-1-ab");
  EXPECT_EQ(h.shm_nonce, std::string(16, '\x07'));
  EXPECT_EQ(h.shm_bytes, 1u << 20);
  auto w = round_trip(msg::node_welcome{msg::protocol_version, errc::not_authorized, "no", {}});
  EXPECT_EQ(w.code, errc::not_authorized);
  EXPECT_EQ(w.error, "no");
  EXPECT_FALSE(w.shm);
  EXPECT_TRUE(round_trip(msg::node_welcome{msg::protocol_version, {}, {}, {}, true}).shm);
}

TEST_F(messages_test, jobs_and_results_round_trip) {
  auto j = round_trip(msg::wire_job{7, 42, 3, {'a', 'b'}});
  EXPECT_EQ(j.epoch, 7u);
  EXPECT_EQ(j.seq, 42u);
  EXPECT_EQ(j.attempt, 3u);
  EXPECT_EQ(j.batch, (std::vector<char>{'a', 'b'}));
  auto failed = round_trip(msg::wire_result{1, 2, 3, true, true, "why", {"T", nullptr}});
  EXPECT_TRUE(failed.failed);
  EXPECT_TRUE(failed.permanent);
  EXPECT_EQ(failed.error, "why");
  EXPECT_EQ(failed.output.value, nullptr);
  msg::wire_result placed{1, 2, 1, false, false, {}, {"T", nullptr}};
  placed.shm_pos = 1ull << 40;
  placed.shm_size = 12345;
  auto back = round_trip(placed);
  EXPECT_EQ(back.shm_pos, 1ull << 40);
  EXPECT_EQ(back.shm_size, 12345u);
}

// A peer's job that claims a batch of 2 GB in a few bytes is an error, not
// an allocation of what it claims (CAF 0.17 writes sizes as 32 bits).
TEST_F(messages_test, a_batch_claiming_more_than_the_message_holds_is_refused) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  std::uint64_t epoch = 1, seq = 2;
  std::uint32_t attempt = 1;
  std::size_t claimed = 0x7fffffff;
  ASSERT_FALSE(sink(epoch, seq, attempt));
  ASSERT_FALSE(sink.begin_sequence(claimed));
  buf.insert(buf.end(), {'a', 'b', 'c'});
  msg::wire_job j;
  caf::binary_deserializer source{sys, buf};
  caf::error err;
  EXPECT_NO_THROW(err = source(j));
  ASSERT_TRUE(err);
  EXPECT_NE(sys.render(err).find("claims"), std::string::npos) << sys.render(err);
  EXPECT_TRUE(j.batch.empty());
}

TEST_F(messages_test, an_output_crosses_typed_through_its_codec) {
  auto& codec = detail::output_codec_of<synthetic_output>();
  (void)codec;
  auto type = std::string{detail::output_type_name<synthetic_output>()};
  auto out = std::make_shared<synthetic_output>(synthetic_output{5, {1, 2, 3}});
  auto back = round_trip(msg::wire_result{1, 2, 1, false, false, {}, {type, out}});
  ASSERT_NE(back.output.value, nullptr);
  EXPECT_EQ(*static_cast<synthetic_output*>(back.output.value.get()), *out);
}

// The batcher's receive pool, as it registers it: outputs read while it
// lives take its blocks; once it is gone, fresh memory.
TEST_F(messages_test, an_output_read_takes_its_memory_from_the_codecs_receive_pool) {
  auto& codec = detail::output_codec_of<synthetic_output>();
  auto type = std::string{detail::output_type_name<synthetic_output>()};
  auto out = std::make_shared<synthetic_output>(synthetic_output{5, {}});
  out->bytes.assign(4096, 3);
  auto read_back = [&] {
    auto back = round_trip(msg::wire_result{1, 2, 1, false, false, {}, {type, out}});
    return std::static_pointer_cast<synthetic_output>(back.output.value);
  };
  auto pool = std::make_shared<output_pool>(1 << 20);
  codec.receive_into(pool);
  {
    auto first = read_back();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(*first, *out);
    EXPECT_EQ(first->bytes.get_allocator().pool(), pool);
  }
  auto second = read_back();
  EXPECT_EQ(pool->stats().reused, 1u);
  EXPECT_EQ(*second, *out);
  second.reset();
  pool.reset();  // the batcher is gone
  auto unpooled = read_back();
  EXPECT_EQ(unpooled->bytes.get_allocator().pool(), nullptr);
  EXPECT_EQ(*unpooled, *out);
}

// (CAF 0.17 drops this error when the result travels inside a message, so
// the handshake checks that both sides know the output type.)
TEST_F(messages_test, an_output_of_an_unknown_type_is_refused) {
  msg::wire_result x{1, 2, 1, false, false, {}, {"no such type", std::make_shared<int>(1)}};
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  auto err = sink(x);
  ASSERT_TRUE(err);
  EXPECT_NE(sys.render(err).find("no such type"), std::string::npos);
}

}  // namespace
}  // namespace lockstep
