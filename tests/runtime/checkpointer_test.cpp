// Debounced checkpoints: the first offer is written at once, later ones at
// most once an interval (the latest each time), the last one on stop.
#include "lockstep/runtime/checkpointer.hpp"

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/synthetic.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace lockstep {
namespace {

using namespace std::chrono_literals;

synthetic_state state_at(std::uint64_t index) {
  auto s = synthetic_state::seeded(7);
  synthetic src;
  while (s.index < index)
    s = src.iterate(s)->second;
  return s;
}

// The index the file holds now; nullopt while there is none.
std::optional<std::uint64_t> saved_index(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    return std::nullopt;
  return load_checkpoint(file.string(), synthetic{}).index;
}

TEST(checkpointer, the_first_offer_is_written_at_once_the_rest_once_an_interval) {
  test::temp_dir dir;
  auto file = dir / "ck.json";
  checkpointer<synthetic> ck{synthetic{}, file.string(), 1h};
  ck.offer(state_at(1), 1);
  // The file appears before the count goes up: wait for both.
  EXPECT_TRUE(test::wait_until([&] { return ck.writes() == 1u && saved_index(file) == 1u; }));
  for (std::uint64_t i = 2; i <= 1000; ++i)
    ck.offer(state_at(i % 50), i % 50 == 0 ? 1000 : i % 50);  // cheap states, any index
  ck.offer(state_at(40), 40);
  EXPECT_EQ(ck.writes(), 1u);  // the hour is not over
  EXPECT_EQ(saved_index(file), 1u);
  ck.stop();
  EXPECT_EQ(ck.writes(), 2u);  // the last state offered, on stop
  auto back = load_checkpoint(file.string(), synthetic{});
  EXPECT_EQ(back.index, 40u);
  EXPECT_EQ(back.state, state_at(40));
}

TEST(checkpointer, the_latest_state_is_written_when_the_interval_ends) {
  test::temp_dir dir;
  auto file = dir / "ck.json";
  checkpointer<synthetic> ck{synthetic{}, file.string(), 50ms};
  ck.offer(state_at(1), 1);
  ck.offer(state_at(2), 2);
  ck.offer(state_at(3), 3);
  EXPECT_TRUE(test::wait_until([&] { return saved_index(file) == 3u; }));
  ck.stop();
  EXPECT_LE(ck.writes(), 2u);  // 1 (or already 3) at once, 3 at the interval's end
  EXPECT_EQ(saved_index(file), 3u);
}

TEST(checkpointer, stop_writes_nothing_new_when_nothing_new_was_offered) {
  test::temp_dir dir;
  auto file = dir / "ck.json";
  {
    checkpointer<synthetic> ck{synthetic{}, file.string(), 1h};
    ck.stop();
    EXPECT_EQ(ck.writes(), 0u);
  }
  EXPECT_FALSE(std::filesystem::exists(file));
  checkpointer<synthetic> ck{synthetic{}, file.string(), 1h};
  ck.offer(state_at(5), 5);
  EXPECT_TRUE(test::wait_until([&] { return ck.writes() == 1u; }));
  ck.stop();
  EXPECT_EQ(ck.writes(), 1u);
  EXPECT_EQ(saved_index(file), 5u);
}

// The destructor writes the last state too: a scope that ends by an
// exception leaves its last step.
TEST(checkpointer, destruction_writes_the_last_state) {
  test::temp_dir dir;
  auto file = dir / "ck.json";
  {
    checkpointer<synthetic> ck{synthetic{}, file.string(), 1h};
    ck.offer(state_at(1), 1);
    ck.offer(state_at(9), 9);
  }
  EXPECT_EQ(saved_index(file), 9u);
}

TEST(checkpointer, a_failed_write_is_reported_by_the_next_offer_and_by_stop) {
  test::temp_dir dir;
  auto file = (dir / "no" / "such" / "dir" / "ck.json").string();
  checkpointer<synthetic> ck{synthetic{}, file, 1h};
  ck.offer(state_at(1), 1);
  EXPECT_TRUE(test::wait_until([&] {
    try {
      ck.offer(state_at(2), 2);
      return false;
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::io_error);
      EXPECT_NE(std::string{e.what()}.find(file), std::string::npos) << e.what();
      return true;
    }
  }));
  EXPECT_THROW(ck.stop(), error);
  EXPECT_EQ(ck.writes(), 0u);
}

TEST(checkpointer, a_zero_interval_is_refused) {
  test::temp_dir dir;
  EXPECT_THROW((checkpointer<synthetic>{synthetic{}, (dir / "ck.json").string(), 0s}), error);
}

}  // namespace
}  // namespace lockstep
