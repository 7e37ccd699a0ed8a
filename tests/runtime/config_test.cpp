#include "lockstep/runtime/config.hpp"

#include <filesystem>
#include <fstream>
#include <limits>

#include <unistd.h>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

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

TEST(config, defaults_are_valid) {
  config c;
  EXPECT_EQ(problem(c), "");
  EXPECT_GE(c.workers, 1u);
  EXPECT_FALSE(c.buffer);  // 2 × pool + 1, following the pool
}

TEST(config, node_addresses_are_checked) {
  EXPECT_EQ(parse_node_address("127.0.0.1:4000").port, 4000);
  EXPECT_EQ(parse_node_address("[::1]:4000").host, "::1");
  EXPECT_EQ(parse_node_address("host:0", true).port, 0);
  for (auto bad : {"nohost", ":4000", "host:", "host:0", "host:70000", "host:12x", "[::1:4000"}) {
    try {
      parse_node_address(bad);
      ADD_FAILURE() << bad;
    } catch (const error& e) {
      EXPECT_NE(std::string{e.what()}.find(bad), std::string::npos) << e.what();
    }
  }
  config c;
  c.remote.nodes = {"a:1", "b"};
  EXPECT_NE(problem(c).find("\"b\""), std::string::npos);
  c = {};
  c.remote.connection_timeout = c.remote.heartbeat_interval;
  EXPECT_NE(problem(c).find("config.remote.connection_timeout_ms"), std::string::npos);
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

// What validation names is what JSON calls the field: one name per field.
TEST(config, validation_names_fields_as_json_does) {
  config c;
  c.retry.first_delay = std::chrono::milliseconds{-1};
  EXPECT_NE(problem(c).find("config.retry.first_delay_ms"), std::string::npos);
  c = {};
  c.remote.heartbeat_interval = std::chrono::milliseconds{0};
  EXPECT_NE(problem(c).find("config.remote.heartbeat_ms"), std::string::npos);
  c = {};
  c.remote.prefetch = 0;
  EXPECT_NE(problem(c).find("config.remote.prefetch"), std::string::npos);
  // ... and a JSON config that sets the same field is refused with the same name.
  EXPECT_THROW(config_from_json(R"({"remote": {"heartbeat_ms": 0}})"), error);
  try {
    config_from_json(R"({"remote": {"heartbeat_ms": 0}})");
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("config.remote.heartbeat_ms"), std::string::npos);
  }
}

std::string json_problem(const std::string& text) {
  try {
    config_from_json(text);
    return "";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    return e.what();
  }
}

TEST(config, reads_json_and_names_every_bad_field) {
  auto c = config_from_json(
    R"({"workers": 3, "buffer": 4, "retry": {"max_retries": 2, "first_delay_ms": 5},
        "remote": {"nodes": ["a:1"], "heartbeat_ms": 200, "connection_timeout_ms": 900,
                   "launch": ["ssh h lockstep node"], "shm_bytes": 0}})");
  EXPECT_EQ(c.workers, 3u);
  EXPECT_EQ(c.buffer, 4u);
  EXPECT_EQ(c.retry.max_retries, 2u);
  EXPECT_EQ(c.retry.first_delay, std::chrono::milliseconds{5});
  EXPECT_EQ(c.remote.nodes, std::vector<std::string>{"a:1"});
  EXPECT_EQ(c.remote.launch, std::vector<std::string>{"ssh h lockstep node"});
  EXPECT_EQ(c.remote.shm_bytes, 0u);
  EXPECT_EQ(config{}.remote.shm_bytes, std::size_t{64} << 20);
  EXPECT_EQ(json_problem("{}"), "");
  EXPECT_NE(json_problem("{").find("not valid JSON"), std::string::npos);

  EXPECT_NE(json_problem(R"({"wrokers": 2})").find("unknown field \"wrokers\""), std::string::npos);
  EXPECT_NE(json_problem(R"({"retry": {"tries": 2}})").find("config.retry has an unknown field \"tries\""),
            std::string::npos);
  EXPECT_NE(json_problem(R"({"workers": -1})").find("config.workers"), std::string::npos);
  EXPECT_NE(json_problem(R"({"workers": 2.5})").find("config.workers"), std::string::npos);
  EXPECT_NE(json_problem(R"({"workers": "four"})").find("config.workers"), std::string::npos);
  EXPECT_NE(json_problem(R"({"buffer": 0})").find("buffer must be at least 1"), std::string::npos);
  EXPECT_EQ(config_from_json(R"({"buffer_bytes": 1048576})").buffer_bytes, std::size_t{1} << 20);
  EXPECT_NE(json_problem(R"({"buffer_bytes": 0})").find("config.buffer_bytes must be at least 1"),
            std::string::npos);
  EXPECT_EQ(config_from_json(R"({"rampup_ms": 1500})").rampup, std::chrono::milliseconds{1500});
  EXPECT_NE(json_problem(R"({"rampup_ms": -1})").find("config.rampup_ms"), std::string::npos);
  EXPECT_EQ(config_from_json(R"({"stuck_after_ms": 250})").stuck_after, std::chrono::milliseconds{250});
  EXPECT_NE(json_problem(R"({"stuck_after_ms": 0})").find("config.stuck_after_ms must be positive"),
            std::string::npos);
  EXPECT_NE(json_problem(R"({"retry": {"factor": 0}})").find("retry.factor"), std::string::npos);
  EXPECT_NE(json_problem(R"({"retry": {"first_delay_ms": -5}})").find("first_delay_ms"),
            std::string::npos);
  EXPECT_NE(json_problem(R"({"remote": {"nodes": "a:1"}})").find("config.remote.nodes"),
            std::string::npos);
  EXPECT_NE(json_problem(R"({"remote": {"nodes": ["a"]}})").find("\"a\""), std::string::npos);
  EXPECT_NE(json_problem(R"([1])").find("config must be an object"), std::string::npos);
}

// Absurd sizes and delays are refused by the library itself, not wrapped,
// truncated or cast into other values.
TEST(config, absurd_sizes_and_delays_are_refused_naming_the_field) {
  auto refused = [](auto change, const std::string& field) {
    config c;
    change(c);
    auto why = problem(c);
    EXPECT_NE(why.find(field), std::string::npos) << field << ": " << why;
  };
  refused([](config& c) { c.workers = max_workers + 1; }, "config.workers is 4097; at most 4096");
  refused([](config& c) { c.buffer = std::size_t{1000000000000}; },
          "config.buffer is 1000000000000");
  refused([](config& c) { c.buffer = max_buffer + 1; }, "at most 1048576");
  refused([](config& c) { c.buffer_bytes = max_buffer_bytes + 1; },
          "config.buffer_bytes is 1099511627777; at most 1099511627776");
  refused([](config& c) { c.worker_prefetch = 1u << 30; }, "config.worker_prefetch");
  refused([](config& c) { c.scheduler_threads = 100000; }, "config.scheduler_threads");
  refused([](config& c) { c.retry.max_retries = 4294967295u; }, "config.retry.max_retries");
  refused([](config& c) { c.retry.factor = 1e300; }, "config.retry.factor");
  refused([](config& c) { c.retry.factor = std::numeric_limits<double>::quiet_NaN(); },
          "config.retry.factor");
  refused(
    [](config& c) {
      c.retry.first_delay = std::chrono::hours{24 * 365};
      c.retry.max_delay = c.retry.first_delay;
    },
    "config.retry.first_delay_ms must be at most 1e9");
  refused([](config& c) { c.remote.prefetch = 1u << 30; }, "config.remote.prefetch");
  refused([](config& c) { c.remote.node_workers = 5000; }, "config.remote.node_workers");
  refused([](config& c) { c.remote.spawn = 1u << 20; }, "config.remote.spawn");
  refused([](config& c) { c.remote.spawn_restarts = 1u << 20; }, "config.remote.spawn_restarts");
  refused([](config& c) { c.remote.shm_bytes = 4096; },
          "config.remote.shm_bytes is 4096; 0 (off) or at least 1048576");
  refused([](config& c) { c.remote.shm_bytes = (std::size_t{1} << 40) + 1; },
          "config.remote.shm_bytes is 1099511627777; at most 1099511627776");
  EXPECT_EQ(problem(config{.workers = max_workers, .buffer = max_buffer}), "");
  // The same through JSON.
  EXPECT_NE(json_problem(R"({"buffer": 1000000000000})").find("config.buffer"), std::string::npos);
  EXPECT_NE(json_problem(R"({"workers": 5000})").find("config.workers"), std::string::npos);
  EXPECT_NE(json_problem(R"({"retry": {"max_delay_ms": 1e12}})").find("config.retry.max_delay_ms"),
            std::string::npos);
  EXPECT_NE(
    json_problem(R"({"remote": {"spawn_restarts": 100000}})").find("config.remote.spawn_restarts"),
    std::string::npos);
  EXPECT_EQ(json_problem(R"({"remote": {"spawn_restarts": 0}})"), "");
}

TEST(config, a_config_file_is_named_in_its_errors) {
  auto dir = std::filesystem::temp_directory_path() / ("lockstep-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = (dir / "run.json").string();
  std::ofstream{file} << R"({"workers": 2, "buffer": 0})";
  try {
    read_config(file);
    ADD_FAILURE();
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find(file), std::string::npos);
    EXPECT_NE(std::string{e.what()}.find("config.buffer"), std::string::npos);
  }
  std::ofstream{file} << R"({"workers": 2})";
  EXPECT_EQ(read_config(file).workers, 2u);
  EXPECT_THROW(read_config((dir / "missing.json").string()), error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lockstep
