#include "lockstep/runtime/config.hpp"

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#include <boost/json/parse.hpp>

#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/json_fields.hpp"

namespace lockstep {

std::size_t default_workers() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
  throw error(errc::invalid_config, "invalid config: " + field + " " + why);
}

}  // namespace

void config::validate() const {
  constexpr std::size_t max_workers = 4096;
  if (workers > max_workers)
    invalid("workers", "is " + std::to_string(workers) + "; at most "
                         + std::to_string(max_workers) + " are supported");
  if (buffer && *buffer == 0)
    invalid("buffer", "must be at least 1");
  if (worker_prefetch == 0)
    invalid("worker_prefetch", "must be at least 1");
  if (scheduler_threads == 0)
    invalid("scheduler_threads", "must be at least 1");
  if (retry.first_delay.count() < 0)
    invalid("retry.first_delay", "must not be negative");
  if (retry.max_delay < retry.first_delay)
    invalid("retry.max_delay", "must not be below retry.first_delay");
  if (!(retry.factor >= 1.0))
    invalid("retry.factor", "must be at least 1");
  if (!(retry.jitter >= 0.0 && retry.jitter < 1.0))
    invalid("retry.jitter", "must be in [0, 1)");
  for (auto& n : remote.nodes)
    parse_node_address(n);
  auto positive = [](std::chrono::milliseconds d, const char* field) {
    if (d.count() <= 0)
      invalid(field, "must be positive");
  };
  positive(remote.no_worker_timeout, "remote.no_worker_timeout");
  positive(remote.heartbeat_interval, "remote.heartbeat_interval");
  positive(remote.connection_timeout, "remote.connection_timeout");
  positive(remote.connect_timeout, "remote.connect_timeout");
  positive(remote.reconnect_interval, "remote.reconnect_interval");
  if (remote.connection_timeout <= remote.heartbeat_interval)
    invalid("remote.connection_timeout", "must exceed remote.heartbeat_interval");
  if (remote.prefetch == 0)
    invalid("remote.prefetch", "must be at least 1");
}

node_address parse_node_address(const std::string& text, bool allow_any_port) {
  auto bad = [&](const std::string& why) -> node_address {
    throw error(errc::invalid_config,
                "invalid node address \"" + text + "\": " + why + " (expected HOST:PORT)");
  };
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return bad("no host or port");
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']')
      return bad("unclosed [");
    host = host.substr(1, host.size() - 2);
  }
  auto port_text = text.substr(colon + 1);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size())
      return bad("the port is not a number");
  } catch (const std::exception&) {
    return bad("the port is not a number");
  }
  if ((port == 0 && !allow_any_port) || port > 65535)
    return bad(allow_any_port ? "the port must be in 0..65535" : "the port must be in 1..65535");
  return {host, static_cast<std::uint16_t>(port)};
}

}  // namespace lockstep

namespace lockstep {

namespace {

namespace jf = json_fields;
constexpr auto bad = errc::invalid_config;

std::size_t size_field(const boost::json::value& v, const std::string& what) {
  auto x = jf::uint64(v, what, bad);
  if (x > std::numeric_limits<std::size_t>::max() / 2)
    throw error(bad, what + " is too large");
  return static_cast<std::size_t>(x);
}

std::chrono::milliseconds ms_field(const boost::json::value& v, const std::string& what) {
  auto x = jf::number(v, what, bad);
  if (x < 0 || x > 1e12)
    throw error(bad, what + " must be a number of milliseconds in [0, 1e12]");
  return std::chrono::milliseconds{static_cast<std::int64_t>(x)};
}

void read_retry(const boost::json::object& obj, retry_policy& r) {
  jf::only_keys(obj, {"max_retries", "first_delay_ms", "factor", "jitter", "max_delay_ms"},
                "config.retry", bad);
  if (auto* x = obj.if_contains("max_retries")) {
    auto n = jf::uint64(*x, "config.retry.max_retries", bad);
    if (n > 1000)
      throw error(bad, "config.retry.max_retries must be at most 1000");
    r.max_retries = static_cast<std::uint32_t>(n);
  }
  if (auto* x = obj.if_contains("first_delay_ms"))
    r.first_delay = ms_field(*x, "config.retry.first_delay_ms");
  if (auto* x = obj.if_contains("factor"))
    r.factor = jf::number(*x, "config.retry.factor", bad);
  if (auto* x = obj.if_contains("jitter"))
    r.jitter = jf::number(*x, "config.retry.jitter", bad);
  if (auto* x = obj.if_contains("max_delay_ms"))
    r.max_delay = ms_field(*x, "config.retry.max_delay_ms");
}

void read_remote(const boost::json::object& obj, remote_config& r) {
  jf::only_keys(obj, {"nodes", "token", "spawn", "node_workers", "no_worker_timeout_ms",
                      "heartbeat_ms", "connection_timeout_ms", "connect_timeout_ms",
                      "reconnect_interval_ms", "prefetch"},
                "config.remote", bad);
  if (auto* x = obj.if_contains("nodes")) {
    if (!x->is_array())
      throw error(bad, "config.remote.nodes must be an array of \"host:port\" strings");
    r.nodes.clear();
    for (std::size_t i = 0; i < x->get_array().size(); ++i)
      r.nodes.push_back(jf::string(x->get_array()[i],
                                   "config.remote.nodes[" + std::to_string(i) + "]", bad));
  }
  if (auto* x = obj.if_contains("token"))
    r.token = jf::string(*x, "config.remote.token", bad);
  if (auto* x = obj.if_contains("spawn"))
    r.spawn = size_field(*x, "config.remote.spawn");
  if (auto* x = obj.if_contains("node_workers"))
    r.node_workers = size_field(*x, "config.remote.node_workers");
  if (auto* x = obj.if_contains("no_worker_timeout_ms"))
    r.no_worker_timeout = ms_field(*x, "config.remote.no_worker_timeout_ms");
  if (auto* x = obj.if_contains("heartbeat_ms"))
    r.heartbeat_interval = ms_field(*x, "config.remote.heartbeat_ms");
  if (auto* x = obj.if_contains("connection_timeout_ms"))
    r.connection_timeout = ms_field(*x, "config.remote.connection_timeout_ms");
  if (auto* x = obj.if_contains("connect_timeout_ms"))
    r.connect_timeout = ms_field(*x, "config.remote.connect_timeout_ms");
  if (auto* x = obj.if_contains("reconnect_interval_ms"))
    r.reconnect_interval = ms_field(*x, "config.remote.reconnect_interval_ms");
  if (auto* x = obj.if_contains("prefetch"))
    r.prefetch = size_field(*x, "config.remote.prefetch");
}

}  // namespace

config config_from_json(const boost::json::value& v) {
  auto& obj = jf::object(v, "config", bad);
  jf::only_keys(obj, {"workers", "buffer", "worker_prefetch", "scheduler_threads", "retry",
                      "remote", "tune_allocator"},
                "config", bad);
  config c;
  if (auto* x = obj.if_contains("workers"))
    c.workers = size_field(*x, "config.workers");
  if (auto* x = obj.if_contains("buffer"))
    c.buffer = size_field(*x, "config.buffer");
  if (auto* x = obj.if_contains("worker_prefetch"))
    c.worker_prefetch = size_field(*x, "config.worker_prefetch");
  if (auto* x = obj.if_contains("scheduler_threads"))
    c.scheduler_threads = size_field(*x, "config.scheduler_threads");
  if (auto* x = obj.if_contains("tune_allocator"))
    c.tune_allocator = jf::boolean(*x, "config.tune_allocator", bad);
  if (auto* x = obj.if_contains("retry"))
    read_retry(jf::object(*x, "config.retry", bad), c.retry);
  if (auto* x = obj.if_contains("remote"))
    read_remote(jf::object(*x, "config.remote", bad), c.remote);
  c.validate();
  return c;
}

config read_config(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    throw error(bad, file.string() + ": cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  std::error_code ec;
  auto v = boost::json::parse(text.str(), ec);
  if (ec)
    throw error(bad, file.string() + ": not valid JSON (" + ec.message() + ")");
  try {
    return config_from_json(v);
  } catch (const error& e) {
    throw error(e.code(), file.string() + ": " + e.what());
  }
}

}  // namespace lockstep
