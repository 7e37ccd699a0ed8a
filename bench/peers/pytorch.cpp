#include "pytorch.hpp"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <fmt/format.h>

namespace lockstep::bench {

namespace json = boost::json;

namespace {

json::object work_of(const workload& w) {
  return {{"seed", w.seed},
          {"item_bytes", w.params.item_bytes},
          {"latency_ms", w.params.latency_ms},
          {"latency_sigma", w.params.latency_sigma},
          {"spin_ms", w.params.spin_ms}};
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  for (auto b : bytes)
    out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

pytorch_peer::pytorch_peer(std::string python, std::string script)
    : python_(std::move(python)), script_(std::move(script)) {
}

const std::optional<std::string>& pytorch_peer::unavailable() {
  if (started_)
    return unavailable_;
  started_ = true;
  if (script_.empty())
    return unavailable_ = "disabled (--no-pytorch)";
  try {
    process_ = std::make_unique<child_process>(std::vector<std::string>{python_, script_, "--serve"});
    auto hello = process_->read_line();
    if (!hello)
      unavailable_ = python_ + " " + script_ + " exited without answering";
    else if (auto v = json::parse(*hello).as_object(); v.contains("error"))
      unavailable_ = json::value_to<std::string>(v.at("error"));
    else
      unavailable_ = check_work();
  } catch (const std::exception& e) {
    unavailable_ = e.what();
  }
  if (unavailable_)
    process_.reset();
  return unavailable_;
}

// A peer is only comparable if it does the same work: the Python side must
// draw the same latencies and produce the same bytes as synthetic, including
// a log-normal draw and a length that is not a whole number of words.
std::optional<std::string> pytorch_peer::check_work() {
  workload w;
  w.seed = 7;
  w.params.item_bytes = 1001;
  w.params.latency_ms = 2;
  w.params.latency_sigma = 1;
  constexpr std::size_t n = 16;
  auto req = work_of(w);
  req["op"] = "probe";
  req["batches"] = n;
  auto answer = request(req);
  auto& got = answer.at("batches").as_array();
  const synthetic src{w.params};
  auto state = synthetic_state::seeded(w.seed);
  for (std::size_t i = 0; i < n; ++i) {
    auto step = src.iterate(state);
    std::vector<std::uint8_t> bytes(w.params.item_bytes);
    synthetic::fill(step->first.seed, bytes.data(), bytes.size());
    auto& item = got.at(i).as_object();
    if (json::value_to<std::int64_t>(item.at("latency_ns")) != src.latency_of(step->first).count()
        || json::value_to<std::string>(item.at("bytes")) != hex(bytes))
      return fmt::format("the Python Dataset's batch {} differs from the synthetic source's", i);
    state = step->second;
  }
  return std::nullopt;
}

throughput pytorch_peer::rate(const workload& w) {
  auto req = work_of(w);
  req["op"] = "rate";
  req["workers"] = w.workers;
  req["warmup"] = w.warmup;
  req["batches"] = w.batches;
  return {json::value_to<double>(request(req).at("rate")), std::nullopt};
}

json::object pytorch_peer::request(const json::object& req) {
  if (!process_ || !process_->write_line(json::serialize(req)))
    throw std::runtime_error("pytorch peer: the Python process is gone");
  auto line = process_->read_line();
  if (!line)
    throw std::runtime_error("pytorch peer: the Python process exited");
  auto answer = json::parse(*line).as_object();
  if (answer.contains("error"))
    throw std::runtime_error("pytorch peer: " + json::value_to<std::string>(answer.at("error")));
  return answer;
}

}  // namespace lockstep::bench
