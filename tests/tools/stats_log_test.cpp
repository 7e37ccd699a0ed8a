// `--stats-json`: one parseable line per due time, appended, and bad paths
// refused before anything runs.
#include "stats_log.hpp"

#include <filesystem>
#include <fstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::cli {
namespace {

namespace fs = std::filesystem;

struct stats_log_test : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / fs::path("lockstep-stats-log-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<boost::json::object> lines(const fs::path& p) {
    std::vector<boost::json::object> out;
    std::ifstream in{p};
    for (std::string line; std::getline(in, line);)
      out.push_back(boost::json::parse(line).as_object());
    return out;
  }
};

TEST_F(stats_log_test, writes_a_line_when_due_and_appends_to_what_is_there) {
  auto path = dir / "stats.jsonl";
  std::ofstream{path} << "{\"earlier\":1}\n";
  {
    stats_log log{path.string(), 2.0, ""};
    ASSERT_TRUE(log.enabled());
    EXPECT_TRUE(log.due(0));
    stats_sample s;
    s.batches = 3;
    s.pool = 2;
    s.stats.delivered = 3;
    s.stats.issued = 7;
    s.stats.ahead = 1;
    s.stats.in_flight = 3;
    s.stats.run_delivered = 3;
    s.stats.rate = 12.5;
    s.status.status = run_status::running;
    s.status.paused = true;
    log.write(s);
    EXPECT_FALSE(log.due(1.9));
    EXPECT_TRUE(log.due(2.0));
    s.seconds = 2.0;
    log.write(s);
  }
  auto got = lines(path);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[0].contains("earlier"));
  auto& l = got[1];
  EXPECT_EQ(l.at("batches").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(l.at("issued").to_number<std::uint64_t>(), 7u);
  EXPECT_EQ(l.at("in_flight").to_number<std::uint64_t>(), 3u);
  EXPECT_EQ(l.at("pool").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(l.at("rate").as_double(), 12.5);
  EXPECT_EQ(l.at("status").as_string(), "running");
  EXPECT_TRUE(l.at("paused").as_bool());
  for (auto field : {"t", "delivered", "bytes_delivered", "retries", "restarts", "workers_lost",
                     "take_wait_s", "ahead", "stuck", "stuck_reported", "hedges", "hedges_won"})
    EXPECT_TRUE(l.contains(field)) << field;
  EXPECT_EQ(got[2].at("t").as_double(), 2.0);
}

TEST_F(stats_log_test, a_path_that_cannot_be_opened_is_refused_naming_it) {
  auto bad = (dir / "no" / "such" / "dir" / "stats.jsonl").string();
  try {
    stats_log log{bad, 1.0, ""};
    FAIL() << "opened " << bad;
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    EXPECT_NE(std::string{e.what()}.find(bad), std::string::npos) << e.what();
  }
}

TEST_F(stats_log_test, the_checkpoint_being_resumed_is_refused_and_left_alone) {
  auto state = dir / "state.json";
  std::ofstream{state} << "{}";
  EXPECT_THROW((stats_log{state.string(), 1.0, state.string()}), error);
  EXPECT_EQ(fs::file_size(state), 2u);
}

TEST_F(stats_log_test, an_empty_path_writes_nothing) {
  stats_log log{"", 1.0, ""};
  EXPECT_FALSE(log.enabled());
  EXPECT_FALSE(log.due(100));
  log.write({});
}

}  // namespace
}  // namespace lockstep::cli
