// The public layer as a user meets it: one header, one namespace.
#include <lockstep/lockstep.hpp>

#include <gtest/gtest.h>

#include "log_capture.hpp"

namespace {

// A user-written source with a built-in state: no JSON code of its own.
struct squares {
  using state_type = std::uint64_t;
  using batch_type = std::uint64_t;
  using output_type = std::uint64_t;
  static constexpr std::string_view name = "squares";
  std::uint64_t permanent_at = ~0ULL;

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    if (s >= 50)
      return std::nullopt;
    return std::make_pair(s, s + 1);
  }
  output_type materialize(const batch_type& b) const {
    if (b == permanent_at)
      throw lockstep::permanent_error("record " + std::to_string(b) + " does not parse");
    return b * b;
  }
};

struct opaque_state {
  int x = 0;
  friend bool operator==(const opaque_state&, const opaque_state&) = default;
};

// A state the batcher cannot checkpoint: the concept refuses it up front.
struct no_json {
  using state_type = opaque_state;
  using batch_type = int;
  using output_type = int;
  static constexpr std::string_view name = "no_json";
  std::optional<std::pair<int, opaque_state>> iterate(const opaque_state&) const;
  int materialize(const int&) const;
};

static_assert(lockstep::source<squares>);
static_assert(!lockstep::source<no_json>);

TEST(api, a_config_is_written_with_designated_initializers) {
  lockstep::config cfg{.workers = 2, .buffer = 3, .retry = {.max_retries = 1}};
  EXPECT_EQ(cfg.workers, 2u);
  EXPECT_EQ(cfg.buffer, 3u);
  EXPECT_EQ(cfg.retry.max_retries, 1u);
  EXPECT_FALSE(cfg.tune_allocator);  // the library leaves the allocator alone
}

TEST(api, take_names_what_it_returns_and_the_batcher_moves) {
  lockstep::batcher first{squares{}, {.workers = 2}};
  auto moved = std::move(first);
  std::uint64_t state = 0;
  std::uint64_t n = 0;
  while (auto next = moved.take(state)) {
    EXPECT_EQ(next->output, state * state);
    EXPECT_EQ(next->state, state + 1);
    state = next->state;
    ++n;
  }
  EXPECT_EQ(n, 50u);
  EXPECT_EQ(moved.status().status, lockstep::run_status::done);
}

TEST(api, starting_is_a_constructor) {
  lockstep::batcher b{squares{}, {.workers = 1}, std::uint64_t{10}};
  EXPECT_EQ(b.status().status, lockstep::run_status::running);
  EXPECT_EQ(b.take(10)->output, 100u);
}

TEST(api, a_permanent_error_fails_the_batch_without_retries) {
  lockstep::test::log_capture quiet;
  squares src;
  src.permanent_at = 3;
  lockstep::batcher b{src, {.workers = 2}};  // default retries: 4, from 50 ms up
  std::uint64_t state = 0;
  for (; state < 3; ++state)
    ASSERT_EQ(b.take(state)->output, state * state);
  try {
    b.take(state);
    FAIL();
  } catch (const lockstep::batch_error& e) {
    EXPECT_EQ(e.attempts(), 1u);
    EXPECT_EQ(e.original_message(), "record 3 does not parse");
    EXPECT_EQ(e.state_json(), "3");
  }
  EXPECT_EQ(b.stats().retries, 0u);
}

TEST(api, checkpoints_are_one_call_each) {
  auto file = testing::TempDir() + "/api-state.json";
  lockstep::save_checkpoint(file, squares{}, 42, 7);
  auto back = lockstep::load_checkpoint(file, squares{});
  EXPECT_EQ(back.state, 42u);
  EXPECT_EQ(back.index, 7u);
  std::remove(file.c_str());
}

TEST(api, the_library_logs_warnings_only_by_default_and_says_its_version) {
  EXPECT_EQ(lockstep::get_log_level(), lockstep::log_level::warning);
  EXPECT_FALSE(lockstep::version.empty());
}

}  // namespace
