#include "lockstep/runtime/checkpoint.hpp"

#include <filesystem>
#include <fstream>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "lockstep/sources/synthetic.hpp"

namespace lockstep {
namespace {

namespace fs = std::filesystem;

struct checkpoint_test : ::testing::Test {
  fs::path dir = fs::temp_directory_path()
                 / ("lockstep-checkpoint-" + std::to_string(::getpid()) + "-"
                    + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  fs::path write(const std::string& name, const std::string& text) {
    auto p = dir / name;
    std::ofstream{p} << text;
    return p;
  }

  // The error of restoring `text`, or "" if it restored.
  std::string problem(const std::string& text) {
    try {
      restore_state<synthetic>(parse_checkpoint(text, "STATE.json"), "STATE.json");
      return "";
    } catch (const error& e) {
      return e.what();
    }
  }
};

TEST_F(checkpoint_test, round_trips_every_bit_through_a_file) {
  auto s = synthetic_state::seeded(0xFFFFFFFFFFFFFFFFULL);
  s.index = 0xFFFFFFFFFFFFFFFEULL;  // beyond a double's exact range
  auto file = dir / "state.json";
  write_checkpoint(file, make_checkpoint<synthetic>(s, 12345678901234567ULL));
  auto c = read_checkpoint(file);
  EXPECT_EQ(c.index, 12345678901234567ULL);
  EXPECT_EQ(restore_state<synthetic>(c, "state.json"), s);
  EXPECT_FALSE(fs::exists(dir / "state.json.tmp"));
}

TEST_F(checkpoint_test, many_states_round_trip_exactly) {
  synthetic src;
  auto s = synthetic_state::seeded(77);
  for (int i = 0; i < 1000; ++i) {
    auto text = boost::json::serialize(to_json(make_checkpoint<synthetic>(s, i)));
    EXPECT_EQ(restore_state<synthetic>(parse_checkpoint(text, "x"), "x"), s);
    s = src.iterate(s)->second;
  }
}

TEST_F(checkpoint_test, bad_input_is_named) {
  auto good = boost::json::serialize(
    to_json(make_checkpoint<synthetic>(synthetic_state::seeded(1), 3)));
  EXPECT_NE(problem("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(problem(good.substr(0, good.size() / 2)).find("not valid JSON"), std::string::npos);
  EXPECT_NE(problem("[1,2]").find("not a lockstep state"), std::string::npos);
  auto replace = [&](const std::string& from, const std::string& to) {
    auto t = good;
    auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  EXPECT_NE(problem(replace("\"source\":\"synthetic\"", "\"source\":\"signals\"")).find("\"signals\", not \"synthetic\""),
            std::string::npos);
  EXPECT_NE(problem(replace("\"version\":1", "\"version\":2")).find("format version 2"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"source_version\":1", "\"source_version\":9")).find("version 9"),
            std::string::npos);
  EXPECT_NE(problem(replace("xoshiro256**", "mt19937")).find("mt19937"), std::string::npos);
  EXPECT_NE(problem(replace("\"index\":0}", "\"index\":-4}")).find("state.index"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"index\":0}", "\"index\":1.5}")).find("state.index"),
            std::string::npos);
  EXPECT_NE(problem(replace("\"index\":3", "\"index\":\"x\"")).find("index"), std::string::npos);
  EXPECT_NE(problem(replace("\"index\":0}", "\"index\":0,\"extra\":1}")).find("\"extra\""),
            std::string::npos);
  EXPECT_EQ(problem(good), "");
}

TEST_F(checkpoint_test, missing_and_empty_files_are_named) {
  try {
    read_checkpoint(dir / "nope.json");
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("nope.json"), std::string::npos);
  }
  try {
    read_checkpoint(write("empty.json", ""));
    FAIL();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("empty"), std::string::npos);
  }
}

TEST_F(checkpoint_test, an_unwritable_file_leaves_nothing_behind) {
  EXPECT_THROW(write_checkpoint(dir / "no-such-dir" / "s.json",
                                make_checkpoint<synthetic>(synthetic_state::seeded(1))),
               error);
  EXPECT_TRUE(fs::is_empty(dir));
}

}  // namespace
}  // namespace lockstep
