#include "lockstep/runtime/config.hpp"

#include <string>
#include <thread>

#include "lockstep/runtime/errors.hpp"

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
