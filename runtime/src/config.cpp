#include "lockstep/runtime/config.hpp"

#include <boost/json/parse.hpp>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep {

std::size_t default_workers() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

namespace {

namespace jf = detail::json_fields;
constexpr auto bad = errc::invalid_config;

// Every field's name, as JSON spells it and as errors name it: written once.
namespace key {
constexpr const char* workers = "config.workers";
constexpr const char* buffer = "config.buffer";
constexpr const char* buffer_bytes = "config.buffer_bytes";
constexpr const char* worker_prefetch = "config.worker_prefetch";
constexpr const char* rampup = "config.rampup_ms";
constexpr const char* stuck_after = "config.stuck_after_ms";
constexpr const char* hedge = "config.hedge";
constexpr const char* max_hedges = "config.max_hedges";
constexpr const char* hedge_after = "config.hedge_after_ms";
constexpr const char* scheduler_threads = "config.scheduler_threads";
constexpr const char* tune_allocator = "config.tune_allocator";
constexpr const char* max_retries = "config.retry.max_retries";
constexpr const char* first_delay = "config.retry.first_delay_ms";
constexpr const char* factor = "config.retry.factor";
constexpr const char* jitter = "config.retry.jitter";
constexpr const char* max_delay = "config.retry.max_delay_ms";
constexpr const char* nodes = "config.remote.nodes";
constexpr const char* token = "config.remote.token";
constexpr const char* spawn = "config.remote.spawn";
constexpr const char* node_workers = "config.remote.node_workers";
constexpr const char* spawn_restarts = "config.remote.spawn_restarts";
constexpr const char* launch = "config.remote.launch";
constexpr const char* no_worker_timeout = "config.remote.no_worker_timeout_ms";
constexpr const char* heartbeat = "config.remote.heartbeat_ms";
constexpr const char* connection_timeout = "config.remote.connection_timeout_ms";
constexpr const char* connect_timeout = "config.remote.connect_timeout_ms";
constexpr const char* reconnect_interval = "config.remote.reconnect_interval_ms";
constexpr const char* prefetch = "config.remote.prefetch";
constexpr const char* shm_bytes = "config.remote.shm_bytes";
}  // namespace key

// The last component of a key: what the JSON object holds.
std::string_view leaf(std::string_view k) {
  return k.substr(k.rfind('.') + 1);
}

[[noreturn]] void invalid(std::string_view field, const std::string& why) {
  throw error(bad, "invalid config: " + std::string{field} + " " + why);
}

// "is N; at most MAX are supported" unless 1 <= n <= max (0 <= n if zero_ok).
void in_range(std::size_t n, std::size_t max, const char* field, bool zero_ok = false) {
  if (n == 0 && !zero_ok)
    invalid(field, "must be at least 1");
  if (n > max)
    invalid(field,
            "is " + std::to_string(n) + "; at most " + std::to_string(max) + " are supported");
}

}  // namespace

void config::validate() const {
  in_range(workers, max_workers, key::workers, true);
  if (buffer)
    in_range(*buffer, max_buffer, key::buffer);
  if (buffer_bytes)
    in_range(*buffer_bytes, max_buffer_bytes, key::buffer_bytes);
  in_range(worker_prefetch, max_prefetch, key::worker_prefetch);
  if (rampup.count() < 0)
    invalid(key::rampup, "must not be negative");
  if (rampup > max_retry_delay)
    invalid(key::rampup, "must be at most 1e9 ms (about 11.6 days)");
  if (stuck_after && stuck_after->count() <= 0)
    invalid(key::stuck_after, "must be positive");
  if (stuck_after && *stuck_after > max_retry_delay)
    invalid(key::stuck_after, "must be at most 1e9 ms (about 11.6 days)");
  in_range(max_hedges, max_workers, key::max_hedges);
  if (hedge_after && hedge_after->count() <= 0)
    invalid(key::hedge_after, "must be positive");
  if (hedge_after && *hedge_after > max_retry_delay)
    invalid(key::hedge_after, "must be at most 1e9 ms (about 11.6 days)");
  in_range(scheduler_threads, max_scheduler_threads, key::scheduler_threads);
  if (retry.max_retries > max_retries)
    invalid(key::max_retries, "is " + std::to_string(retry.max_retries) + "; at most "
                                + std::to_string(max_retries) + " are supported");
  if (retry.first_delay.count() < 0)
    invalid(key::first_delay, "must not be negative");
  if (retry.first_delay > max_retry_delay)
    invalid(key::first_delay, "must be at most 1e9 ms (about 11.6 days)");
  if (retry.max_delay > max_retry_delay)
    invalid(key::max_delay, "must be at most 1e9 ms (about 11.6 days)");
  if (retry.max_delay < retry.first_delay)
    invalid(key::max_delay, std::string{"must not be below "} + key::first_delay);
  if (!(retry.factor >= 1.0 && retry.factor <= 1000.0))
    invalid(key::factor, "must be in [1, 1000]");
  if (!(retry.jitter >= 0.0 && retry.jitter < 1.0))
    invalid(key::jitter, "must be in [0, 1)");
  for (auto& n : remote.nodes)
    parse_node_address(n);
  auto positive = [](std::chrono::milliseconds d, const char* field) {
    if (d.count() <= 0)
      invalid(field, "must be positive");
  };
  positive(remote.no_worker_timeout, key::no_worker_timeout);
  positive(remote.heartbeat_interval, key::heartbeat);
  positive(remote.connection_timeout, key::connection_timeout);
  positive(remote.connect_timeout, key::connect_timeout);
  positive(remote.reconnect_interval, key::reconnect_interval);
  if (remote.connection_timeout <= remote.heartbeat_interval)
    invalid(key::connection_timeout, std::string{"must exceed "} + key::heartbeat);
  in_range(remote.prefetch, max_prefetch, key::prefetch);
  if (remote.shm_bytes != 0 && remote.shm_bytes < (std::size_t{1} << 20))
    invalid(key::shm_bytes, "is " + std::to_string(remote.shm_bytes)
                              + "; 0 (off) or at least 1048576 (1 MiB)");
  if (remote.shm_bytes > (std::size_t{1} << 40))
    invalid(key::shm_bytes, "is " + std::to_string(remote.shm_bytes)
                              + "; at most 1099511627776 (1 TiB) is supported");
  in_range(remote.node_workers, max_workers, key::node_workers, true);
  in_range(remote.spawn, max_spawned_nodes, key::spawn, true);
  in_range(remote.spawn_restarts, max_spawn_restarts, key::spawn_restarts, true);
}

node_address parse_node_address(const std::string& text, bool allow_any_port) {
  auto bad_address = [&](const std::string& why) -> node_address {
    throw error(bad, "invalid node address \"" + text + "\": " + why + " (expected HOST:PORT)");
  };
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    return bad_address("no host or port");
  auto host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']')
      return bad_address("unclosed [");
    host = host.substr(1, host.size() - 2);
  }
  auto port_text = text.substr(colon + 1);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size())
      return bad_address("the port is not a number");
  } catch (const std::exception&) {
    return bad_address("the port is not a number");
  }
  if ((port == 0 && !allow_any_port) || port > 65535)
    return bad_address(allow_any_port ? "the port must be in 0..65535"
                                      : "the port must be in 1..65535");
  return {host, static_cast<std::uint16_t>(port)};
}

namespace {

// Reads the field `k` of `obj` into `out` when present.
template <class F>
void read(const boost::json::object& obj, const char* k, F f) {
  if (auto* x = obj.if_contains(leaf(k)))
    f(*x, k);
}

std::size_t size_field(const boost::json::value& v, const char* k) {
  auto x = jf::uint64(v, k, bad);
  if (x > std::numeric_limits<std::size_t>::max() / 2)
    throw error(bad, std::string{k} + " is too large");
  return static_cast<std::size_t>(x);
}

std::chrono::milliseconds ms_field(const boost::json::value& v, const char* k) {
  auto x = jf::number(v, k, bad);
  if (x < 0 || x > 1e12)
    throw error(bad, std::string{k} + " must be a number of milliseconds in [0, 1e12]");
  return std::chrono::milliseconds{static_cast<std::int64_t>(x)};
}

std::vector<std::string> strings_field(const boost::json::value& v, const char* k) {
  if (!v.is_array())
    throw error(bad, std::string{k} + " must be an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.get_array().size(); ++i)
    out.push_back(
      jf::string(v.get_array()[i], std::string{k} + "[" + std::to_string(i) + "]", bad));
  return out;
}

void read_retry(const boost::json::object& obj, retry_policy& r) {
  jf::only_keys(obj,
                {leaf(key::max_retries), leaf(key::first_delay), leaf(key::factor),
                 leaf(key::jitter), leaf(key::max_delay)},
                "config.retry", bad);
  read(obj, key::max_retries, [&](auto& v, auto k) {
    auto n = jf::uint64(v, k, bad);
    if (n > 1000)
      throw error(bad, std::string{k} + " must be at most 1000");
    r.max_retries = static_cast<std::uint32_t>(n);
  });
  read(obj, key::first_delay, [&](auto& v, auto k) { r.first_delay = ms_field(v, k); });
  read(obj, key::factor, [&](auto& v, auto k) { r.factor = jf::number(v, k, bad); });
  read(obj, key::jitter, [&](auto& v, auto k) { r.jitter = jf::number(v, k, bad); });
  read(obj, key::max_delay, [&](auto& v, auto k) { r.max_delay = ms_field(v, k); });
}

void read_remote(const boost::json::object& obj, remote_config& r) {
  jf::only_keys(obj,
                {leaf(key::nodes), leaf(key::token), leaf(key::spawn), leaf(key::node_workers),
                 leaf(key::spawn_restarts), leaf(key::launch), leaf(key::no_worker_timeout),
                 leaf(key::heartbeat), leaf(key::connection_timeout), leaf(key::connect_timeout),
                 leaf(key::reconnect_interval), leaf(key::prefetch), leaf(key::shm_bytes)},
                "config.remote", bad);
  read(obj, key::nodes, [&](auto& v, auto k) { r.nodes = strings_field(v, k); });
  read(obj, key::token, [&](auto& v, auto k) { r.token = jf::string(v, k, bad); });
  read(obj, key::spawn, [&](auto& v, auto k) { r.spawn = size_field(v, k); });
  read(obj, key::node_workers, [&](auto& v, auto k) { r.node_workers = size_field(v, k); });
  read(obj, key::spawn_restarts, [&](auto& v, auto k) { r.spawn_restarts = size_field(v, k); });
  read(obj, key::launch, [&](auto& v, auto k) { r.launch = strings_field(v, k); });
  read(obj, key::no_worker_timeout, [&](auto& v, auto k) { r.no_worker_timeout = ms_field(v, k); });
  read(obj, key::heartbeat, [&](auto& v, auto k) { r.heartbeat_interval = ms_field(v, k); });
  read(obj, key::connection_timeout,
       [&](auto& v, auto k) { r.connection_timeout = ms_field(v, k); });
  read(obj, key::connect_timeout, [&](auto& v, auto k) { r.connect_timeout = ms_field(v, k); });
  read(obj, key::reconnect_interval,
       [&](auto& v, auto k) { r.reconnect_interval = ms_field(v, k); });
  read(obj, key::prefetch, [&](auto& v, auto k) { r.prefetch = size_field(v, k); });
  read(obj, key::shm_bytes, [&](auto& v, auto k) { r.shm_bytes = size_field(v, k); });
}

config from_value(const boost::json::value& v) {
  auto& obj = jf::object(v, "config", bad);
  jf::only_keys(obj,
                {leaf(key::workers), leaf(key::buffer), leaf(key::buffer_bytes), leaf(key::worker_prefetch),
                 leaf(key::rampup), leaf(key::stuck_after), leaf(key::hedge),
                 leaf(key::max_hedges), leaf(key::hedge_after), leaf(key::scheduler_threads), leaf(key::tune_allocator), "retry", "remote"},
                "config", bad);
  config c;
  read(obj, key::workers, [&](auto& x, auto k) { c.workers = size_field(x, k); });
  read(obj, key::buffer, [&](auto& x, auto k) { c.buffer = size_field(x, k); });
  read(obj, key::buffer_bytes, [&](auto& x, auto k) { c.buffer_bytes = size_field(x, k); });
  read(obj, key::worker_prefetch, [&](auto& x, auto k) { c.worker_prefetch = size_field(x, k); });
  read(obj, key::rampup, [&](auto& x, auto k) { c.rampup = ms_field(x, k); });
  read(obj, key::stuck_after, [&](auto& x, auto k) { c.stuck_after = ms_field(x, k); });
  read(obj, key::hedge, [&](auto& x, auto k) { c.hedge = jf::boolean(x, k, bad); });
  read(obj, key::max_hedges, [&](auto& x, auto k) { c.max_hedges = size_field(x, k); });
  read(obj, key::hedge_after, [&](auto& x, auto k) { c.hedge_after = ms_field(x, k); });
  read(obj, key::scheduler_threads,
       [&](auto& x, auto k) { c.scheduler_threads = size_field(x, k); });
  read(obj, key::tune_allocator,
       [&](auto& x, auto k) { c.tune_allocator = jf::boolean(x, k, bad); });
  if (auto* x = obj.if_contains("retry"))
    read_retry(jf::object(*x, "config.retry", bad), c.retry);
  if (auto* x = obj.if_contains("remote"))
    read_remote(jf::object(*x, "config.remote", bad), c.remote);
  c.validate();
  return c;
}

}  // namespace

config config_from_json(std::string_view text, std::string_view origin) {
  std::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec)
    throw error(bad, std::string{origin} + ": not valid JSON (" + ec.message() + ")");
  try {
    return from_value(v);
  } catch (const error& e) {
    if (origin == "config")
      throw;
    throw error(e.code(), std::string{origin} + ": " + e.what());
  }
}

config read_config(const std::string& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    throw error(bad, file + ": cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  return config_from_json(text.str(), file);
}

}  // namespace lockstep
