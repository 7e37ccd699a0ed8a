// The progress line: fits the terminal, says how long is left, and shows
// what went wrong only when something did.
#include "progress.hpp"

#include <gtest/gtest.h>

namespace lockstep::cli {
namespace {

progress_figures halfway() {
  progress_figures f;
  f.batches = 5000;
  f.total = 10000;
  f.bytes = 5000ULL * 1000000;
  f.seconds = 10;
  return f;
}

TEST(progress_line, fits_every_width_without_filling_the_last_column) {
  auto f = halfway();
  f.stats.retries = 12;
  f.stats.restarts = 3;
  f.stats.workers_lost = 1;
  for (std::size_t columns = 1; columns <= 200; ++columns)
    ASSERT_LT(progress_line(f, columns).size(), std::max<std::size_t>(columns, 2)) << columns;
}

TEST(progress_line, at_80_columns_shows_the_bar_the_counts_the_rates_and_the_eta) {
  auto line = progress_line(halfway(), 80);
  EXPECT_LT(line.size(), 80u);
  EXPECT_EQ(line.rfind("[###", 0), 0u) << line;
  EXPECT_NE(line.find("5000/10000 batches"), std::string::npos) << line;
  EXPECT_NE(line.find("500 batches/s"), std::string::npos) << line;
  EXPECT_NE(line.find("500.0 MB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:10"), std::string::npos) << line;  // 5000 more at 500/s
  EXPECT_EQ(line.find('|'), std::string::npos) << line;          // nothing went wrong
}

TEST(progress_line, the_bar_is_filled_in_proportion) {
  auto f = halfway();
  auto line = progress_line(f, 200);  // the widest bar: 30
  EXPECT_EQ(line.rfind("[" + std::string(15, '#') + std::string(15, ' ') + "]", 0), 0u) << line;
}

TEST(progress_line, shows_retries_restarts_lost_workers_and_a_pause_when_there_are_any) {
  auto f = halfway();
  f.stats.retries = 2;
  f.stats.restarts = 1;  // the start itself: not shown
  auto line = progress_line(f, 120);
  EXPECT_NE(line.find("| retries 2"), std::string::npos) << line;
  EXPECT_EQ(line.find("restarts"), std::string::npos) << line;
  f.stats.restarts = 3;
  f.stats.workers_lost = 1;
  f.stats.stuck.push_back({7, "{}", 1, 1, 12.4});
  f.stats.hedges = 3;
  f.stats.hedges_won = 2;
  f.paused = true;
  line = progress_line(f, 200);
  EXPECT_NE(line.find("| paused, retries 2, restarts 2, workers lost 1, hedges 3 (2 won), stuck 1 "
                      "(oldest 12 s)"),
            std::string::npos)
    << line;
}

TEST(progress_line, narrow_terminals_lose_the_bar_first_then_the_megabytes) {
  auto f = halfway();
  auto line = progress_line(f, 60);
  EXPECT_EQ(line.find('['), std::string::npos) << line;
  EXPECT_NE(line.find("MB/s"), std::string::npos) << line;
  line = progress_line(f, 45);
  EXPECT_EQ(line.find("MB/s"), std::string::npos) << line;
  EXPECT_NE(line.find("batches/s"), std::string::npos) << line;
}

TEST(progress_line, without_a_total_shows_no_bar_and_no_eta) {
  auto f = halfway();
  f.total.reset();
  auto line = progress_line(f, 200);
  EXPECT_EQ(line.rfind("5000 batches  500 batches/s", 0), 0u) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
}

TEST(progress_line, long_runs_give_the_eta_in_hours) {
  auto f = halfway();
  f.total = 5000 + 500 * 3725;  // 3725 s left
  EXPECT_NE(progress_line(f, 200).find("ETA 1:02:05"), std::string::npos);
}

}  // namespace
}  // namespace lockstep::cli
