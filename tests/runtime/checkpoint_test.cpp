// Checkpoints: one call to save, one to load; exact, checked, written whole.
#include "lockstep/runtime/checkpoint.hpp"

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep {
namespace {

namespace fs = std::filesystem;

// A state of a built-in type, converted by the library itself.
struct counter {
  using state_type = std::int32_t;
  using batch_type = std::int32_t;
  using output_type = std::int32_t;
  static constexpr std::string_view name = "counter";
  static constexpr std::uint32_t state_version = 3;
  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    return std::make_pair(s, s + 1);
  }
  output_type materialize(const batch_type& b) const { return b; }
};

struct checkpoint_test : ::testing::Test {
  fs::path dir = fs::temp_directory_path()
                 / ("lockstep-checkpoint-" + std::to_string(::getpid()) + "-"
                    + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& text) {
    auto p = dir / name;
    std::ofstream{p} << text;
    return p.string();
  }

  // The error of restoring `text`, or "" if it restored.
  template <class S = synthetic>
  std::string problem(const std::string& text, const S& src = S{}) {
    try {
      parse_checkpoint(src, text, "STATE.json");
      return "";
    } catch (const error& e) {
      return e.what();
    }
  }
};

TEST_F(checkpoint_test, round_trips_every_bit_through_a_file) {
  auto s = synthetic_state::seeded(0xFFFFFFFFFFFFFFFFULL);
  s.rng = xoshiro256ss{0xFFFFFFFFFFFFFFFEULL};  // words beyond a double's exact range
  auto file = (dir / "state.json").string();
  s.index = 12345678901234567ULL;
  save_checkpoint(file, synthetic{}, s, 12345678901234567ULL);
  auto back = load_checkpoint(file, synthetic{});
  EXPECT_EQ(back.index, 12345678901234567ULL);
  EXPECT_EQ(back.state, s);
  EXPECT_EQ(std::distance(fs::directory_iterator{dir}, fs::directory_iterator{}),
            1);  // no temp left
}

TEST_F(checkpoint_test, many_states_round_trip_exactly) {
  synthetic src;
  auto s = synthetic_state::seeded(77);
  for (int i = 0; i < 1000; ++i) {
    auto text = checkpoint_text(src, s, static_cast<std::uint64_t>(i));
    auto back = parse_checkpoint(src, text, "x");
    EXPECT_EQ(back.state, s);
    EXPECT_EQ(back.index, static_cast<std::uint64_t>(i));
    s = src.iterate(s)->second;
  }
}

TEST_F(checkpoint_test, built_in_states_need_no_conversion_of_their_own) {
  auto text = checkpoint_text(counter{}, -5, 7);
  EXPECT_NE(text.find("\"state\":-5"), std::string::npos);
  EXPECT_NE(text.find("\"source_version\":3"), std::string::npos);
  EXPECT_EQ(parse_checkpoint(counter{}, text, "x").state, -5);
  EXPECT_EQ(text.find("fingerprint"), std::string::npos);  // it has none
  auto too_big = text.replace(text.find("-5"), 2, "4294967296");
  EXPECT_NE(problem<counter>(too_big).find("state"), std::string::npos);
}

TEST_F(checkpoint_test, bad_input_is_named) {
  auto at_3 = synthetic_state::seeded(1);
  at_3.index = 3;
  auto good = checkpoint_text(synthetic{}, at_3, 3);
  EXPECT_NE(problem("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(problem(good.substr(0, good.size() / 2)).find("not valid JSON"), std::string::npos);
  EXPECT_NE(problem("[1,2]").find("not a lockstep state"), std::string::npos);
  auto replace = [&](const std::string& from, const std::string& to) {
    auto t = good;
    auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  EXPECT_NE(problem(replace("\"source\":\"synthetic\"", "\"source\":\"signals\""))
              .find("\"signals\", not \"synthetic\""),
            std::string::npos);
  EXPECT_NE(problem(replace("\"version\":2", "\"version\":3")).find("format version 3"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"source_version\":1", "\"source_version\":9")).find("version 9"),
            std::string::npos);
  EXPECT_NE(problem(replace("xoshiro256**", "mt19937")).find("mt19937"), std::string::npos);
  EXPECT_NE(problem(replace("\"index\":3}", "\"index\":-4}")).find("state.index"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"index\":3}", "\"index\":1.5}")).find("state.index"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"index\":3,", "\"index\":\"x\",")).find("index"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"index\":3}", "\"index\":3,\"extra\":1}")).find("\"extra\""),
            std::string::npos);
  EXPECT_EQ(problem(good), "");
}

TEST_F(checkpoint_test, missing_empty_and_unusual_files_are_named) {
  auto fails_with = [&](const std::string& file, const std::string& words) {
    try {
      load_checkpoint(file, synthetic{});
      ADD_FAILURE() << file << " loaded";
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_state);
      EXPECT_NE(std::string{e.what()}.find(words), std::string::npos) << e.what();
      EXPECT_NE(std::string{e.what()}.find(file), std::string::npos) << e.what();
    }
  };
  fails_with((dir / "nope.json").string(), "cannot be opened");
  fails_with(write("empty.json", ""), "empty");
  fails_with(dir.string(), "not a regular file");
  auto fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fails_with(fifo, "not a regular file");  // and does not hang
  auto big = (dir / "big.json").string();
  fs::resize_file(write("big.json", "{"), 17u << 20);
  fails_with(big, "at most");
}

TEST_F(checkpoint_test, an_unwritable_place_leaves_nothing_behind) {
  EXPECT_THROW(save_checkpoint((dir / "no-such-dir" / "s.json").string(), synthetic{},
                               synthetic_state::seeded(1)),
               error);
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST_F(checkpoint_test, only_a_regular_file_is_replaced_and_its_mode_is_kept) {
  EXPECT_THROW(save_checkpoint(dir.string(), synthetic{}, synthetic_state::seeded(1)), error);
  auto fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(save_checkpoint(fifo, synthetic{}, synthetic_state::seeded(1)), error);
  EXPECT_TRUE(fs::is_fifo(fifo));
  auto file = write("s.json", "old");
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  auto at_5 = synthetic_state::seeded(2);
  at_5.index = 5;
  save_checkpoint(file, synthetic{}, at_5, 5);
  EXPECT_EQ(load_checkpoint(file, synthetic{}).index, 5u);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
}

TEST_F(checkpoint_test, a_source_with_other_parameters_is_refused_naming_the_parameter) {
  synthetic saved_by{synthetic_params{.item_bytes = 64, .length = 10}};
  auto state = saved_by.iterate(synthetic_state::seeded(3))->second;
  auto text = checkpoint_text(saved_by, state, 1);
  EXPECT_NE(text.find("\"fingerprint\":{\"item_bytes\":64,\"length\":10}"), std::string::npos)
    << text;
  // Resumed without its length, the run would go past the end.
  auto unbounded = problem(text, synthetic{synthetic_params{.item_bytes = 64}});
  EXPECT_NE(unbounded.find("length: 10 in the checkpoint, null in this run"), std::string::npos)
    << unbounded;
  EXPECT_NE(unbounded.find("accept"), std::string::npos) << unbounded;
  auto larger = problem(text, synthetic{synthetic_params{.item_bytes = 65, .length = 10}});
  EXPECT_NE(larger.find("item_bytes: 64 in the checkpoint, 65 in this run"), std::string::npos)
    << larger;
  try {
    parse_checkpoint(synthetic{}, text, "STATE.json");
    ADD_FAILURE() << "resumed";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::source_mismatch);
  }
  // Timing and fault injection are not part of the sequence.
  EXPECT_EQ(problem(text, synthetic{synthetic_params{
                            .item_bytes = 64, .latency_ms = 3, .fail_first_attempts = 1, .length = 10}}),
            "");
  // Said to be intended, the change is let through and reported.
  auto back = parse_checkpoint(synthetic{}, text, "x", resume_options{.accept_changes = true});
  EXPECT_EQ(back.state, state);
  EXPECT_NE(back.changed.find("length"), std::string::npos);
  EXPECT_EQ(parse_checkpoint(saved_by, text, "x").changed, "");
}

TEST_F(checkpoint_test, an_index_the_state_disagrees_with_is_refused) {
  synthetic src;
  auto state = src.iterate(src.iterate(synthetic_state::seeded(1))->second)->second;  // at 2
  EXPECT_EQ(problem(checkpoint_text(src, state, 2)), "");
  auto wrong = problem(checkpoint_text(src, state, 5));
  EXPECT_NE(wrong.find("its index is 5 but its state stands at batch 2"), std::string::npos)
    << wrong;
  // A source that cannot tell where a state stands takes the index as it is.
  EXPECT_EQ(problem(checkpoint_text(counter{}, 1, 99), counter{}), "");
}

TEST_F(checkpoint_test, a_checkpoint_of_the_first_format_is_read_only_when_changes_are_accepted) {
  auto v1 = std::string{"{\"format\":\"lockstep-state\",\"version\":1,\"source\":\"synthetic\","}
            + "\"source_version\":1,\"index\":0,\"state\":"
            + checkpoint_text(synthetic{}, synthetic_state::seeded(4)).substr(
              checkpoint_text(synthetic{}, synthetic_state::seeded(4)).find("\"state\":") + 8);
  EXPECT_NE(problem(v1).find("records no fingerprint"), std::string::npos) << problem(v1);
  EXPECT_EQ(parse_checkpoint(synthetic{}, v1, "x", {.accept_changes = true}).state,
            synthetic_state::seeded(4));
  // Without a fingerprint of its own, the source has nothing to check.
  auto counter_v1 = std::string{"{\"format\":\"lockstep-state\",\"version\":1,"}
                    + "\"source\":\"counter\",\"source_version\":3,\"index\":0,\"state\":8}";
  EXPECT_EQ(parse_checkpoint(counter{}, counter_v1, "x").state, 8);
}

}  // namespace
}  // namespace lockstep
