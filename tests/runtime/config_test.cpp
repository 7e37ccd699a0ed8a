#include "lockstep/runtime/config.hpp"

#include <gtest/gtest.h>

#include "lockstep/runtime/errors.hpp"

namespace lockstep {
namespace {

std::string problem(const config& c) {
  try {
    c.validate();
    return "";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    return e.what();
  }
}

TEST(config, defaults_are_valid_and_buffer_is_two_workers_plus_one) {
  config c;
  EXPECT_EQ(problem(c), "");
  EXPECT_GE(c.workers, 1u);
  c.workers = 4;
  EXPECT_EQ(c.effective_buffer(), 9u);
  c.buffer = 2;
  EXPECT_EQ(c.effective_buffer(), 2u);
}

TEST(config, each_bad_field_is_named) {
  config c;
  c.buffer = 0;
  EXPECT_NE(problem(c).find("buffer"), std::string::npos);
  c = {};
  c.workers = 100000;
  EXPECT_NE(problem(c).find("workers"), std::string::npos);
  c = {};
  c.worker_prefetch = 0;
  EXPECT_NE(problem(c).find("worker_prefetch"), std::string::npos);
  c = {};
  c.scheduler_threads = 0;
  EXPECT_NE(problem(c).find("scheduler_threads"), std::string::npos);
  c = {};
  c.retry.factor = 0.5;
  EXPECT_NE(problem(c).find("retry.factor"), std::string::npos);
  c = {};
  c.retry.jitter = 1.5;
  EXPECT_NE(problem(c).find("retry.jitter"), std::string::npos);
  c = {};
  c.retry.max_delay = std::chrono::milliseconds{1};
  EXPECT_NE(problem(c).find("retry.max_delay"), std::string::npos);
}

}  // namespace
}  // namespace lockstep
