#include "lockstep/sources/synthetic.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

#include <csignal>

#include <fcntl.h>
#include <time.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep {

namespace jf = detail::json_fields;

namespace {
constexpr double max_latency_ms = 86400000;  // one day
}  // namespace

void synthetic_params::validate() const {
  auto bad = [](const std::string& field, const std::string& why) {
    throw error(errc::invalid_config, "invalid synthetic source: " + field + " " + why);
  };
  constexpr std::uint64_t max_item_bytes = std::uint64_t{1} << 32;
  if (item_bytes > max_item_bytes)
    bad("item_bytes", "is " + std::to_string(item_bytes) + "; at most 4 GiB are supported");
  // Bounded so that a latency is always a representable wait (1e300 ms
  // would wrap through the cast to nanoseconds).
  if (!(std::isfinite(latency_ms) && latency_ms >= 0 && latency_ms <= max_latency_ms))
    bad("latency_ms", "must be a finite number in [0, 86400000] (one day)");
  if (!(std::isfinite(latency_sigma) && latency_sigma >= 0 && latency_sigma <= 10))
    bad("latency_sigma", "must be a finite number in [0, 10]");
  if (latency_sigma > 0 && latency_ms == 0)
    bad("latency_sigma", "needs a latency_ms > 0 (the median)");
  if (!(std::isfinite(spin_ms) && spin_ms >= 0 && spin_ms <= max_latency_ms))
    bad("spin_ms", "must be a finite number in [0, 86400000] (one day)");
  if (!(std::isfinite(slow_worker_factor) && slow_worker_factor >= 1 && slow_worker_factor <= 1000))
    bad("slow_worker_factor", "must be a finite number in [1, 1000]");
  if (!(transient_fraction >= 0 && transient_fraction <= 1))
    bad("transient_fraction", "must be in [0, 1]");
  if (crash_index.has_value() == crash_file.empty())
    bad("crash_index", "and crash_file go together");
}

namespace {

boost::json::value optional_json(const std::optional<std::uint64_t>& x) {
  return x ? boost::json::value(*x) : boost::json::value(nullptr);
}

std::optional<std::uint64_t> optional_uint64(const boost::json::value& v, std::string_view what) {
  if (v.is_null())
    return std::nullopt;
  return jf::uint64(v, what, errc::invalid_config);
}

}  // namespace

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const synthetic_params& p) {
  v = boost::json::object{
    {"item_bytes", p.item_bytes},
    {"latency_ms", p.latency_ms},
    {"latency_sigma", p.latency_sigma},
    {"poison_index", optional_json(p.poison_index)},
    {"fail_first_attempts", p.fail_first_attempts},
    {"transient_fraction", p.transient_fraction},
    {"length", optional_json(p.length)},
    {"crash_index", optional_json(p.crash_index)},
    {"crash_file", p.crash_file},
  };
  // Only when set: the default parameters keep the JSON they always had,
  // which nodes of an earlier build read.
  if (p.spin_ms != 0)
    v.as_object()["spin_ms"] = p.spin_ms;
  if (p.slow_worker_factor != 1)
    v.as_object()["slow_worker_factor"] = p.slow_worker_factor;
}

synthetic_params tag_invoke(boost::json::value_to_tag<synthetic_params>,
                            const boost::json::value& v) {
  constexpr auto code = errc::invalid_config;
  auto& obj = jf::object(v, "synthetic parameters", code);
  jf::only_keys(
    obj,
    {"item_bytes", "latency_ms", "latency_sigma", "spin_ms", "slow_worker_factor", "poison_index",
     "fail_first_attempts", "transient_fraction", "length", "crash_index", "crash_file"},
    "synthetic parameters", code);
  synthetic_params p;
  if (auto* x = obj.if_contains("item_bytes"))
    p.item_bytes = jf::uint64(*x, "item_bytes", code);
  if (auto* x = obj.if_contains("latency_ms"))
    p.latency_ms = jf::number(*x, "latency_ms", code);
  if (auto* x = obj.if_contains("latency_sigma"))
    p.latency_sigma = jf::number(*x, "latency_sigma", code);
  if (auto* x = obj.if_contains("spin_ms"))
    p.spin_ms = jf::number(*x, "spin_ms", code);
  if (auto* x = obj.if_contains("slow_worker_factor"))
    p.slow_worker_factor = jf::number(*x, "slow_worker_factor", code);
  if (auto* x = obj.if_contains("poison_index"))
    p.poison_index = optional_uint64(*x, "poison_index");
  if (auto* x = obj.if_contains("fail_first_attempts")) {
    auto k = jf::uint64(*x, "fail_first_attempts", code);
    if (k > UINT32_MAX)
      throw error(code, "fail_first_attempts is out of range");
    p.fail_first_attempts = static_cast<std::uint32_t>(k);
  }
  if (auto* x = obj.if_contains("transient_fraction"))
    p.transient_fraction = jf::number(*x, "transient_fraction", code);
  if (auto* x = obj.if_contains("length"))
    p.length = optional_uint64(*x, "length");
  if (auto* x = obj.if_contains("crash_index"))
    p.crash_index = optional_uint64(*x, "crash_index");
  if (auto* x = obj.if_contains("crash_file"))
    p.crash_file = jf::string(*x, "crash_file", code);
  p.validate();
  return p;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const synthetic_state& s) {
  boost::json::object obj;
  write_rng(obj, s.rng);
  obj["index"] = s.index;
  v = std::move(obj);
}

synthetic_state tag_invoke(boost::json::value_to_tag<synthetic_state>,
                           const boost::json::value& v) {
  auto& obj = jf::object(v, "state");
  jf::only_keys(obj, {"rng", "s", "index"}, "state");
  return {read_rng(obj, "state"), jf::uint64(jf::field(obj, "index", "state"), "state.index")};
}

class synthetic::attempt_counter {
 public:
  // True while batch `index` has failed fewer than `k` attempts (and counts one).
  bool fail_next(std::uint64_t index, std::uint32_t k) {
    std::lock_guard<std::mutex> guard{mtx_};
    if (failed_.size() > (1u << 16))
      std::erase_if(failed_, [k](const auto& kv) { return kv.second >= k; });
    auto& n = failed_[index];
    if (n >= k)
      return false;
    ++n;
    return true;
  }

  // Whether the calling thread is the slow one: the first to ask.
  bool slow_thread() {
    auto me = std::this_thread::get_id();
    std::thread::id none{};
    return slow_.compare_exchange_strong(none, me) || none == me;
  }

 private:
  std::atomic<std::thread::id> slow_{};
  std::mutex mtx_;
  std::unordered_map<std::uint64_t, std::uint32_t> failed_;
};

std::string synthetic::params() const {
  return boost::json::serialize(boost::json::value_from(params_));
}

std::string synthetic::fingerprint() const {
  boost::json::object f{{"item_bytes", params_.item_bytes}};
  f["length"] = params_.length ? boost::json::value(*params_.length) : boost::json::value(nullptr);
  return boost::json::serialize(f);
}

synthetic synthetic::from_params(const boost::json::value& v) {
  return synthetic{boost::json::value_to<synthetic_params>(v)};
}

synthetic::synthetic(synthetic_params p)
    : params_(p), attempts_(std::make_shared<attempt_counter>()) {
  params_.validate();
  // Idle at most 64 MiB (the window of a default batcher of 1 MB outputs,
  // or of a node's), and never fewer than four outputs.
  if (params_.item_bytes >= pooled_from_bytes)
    outputs_ = std::make_shared<output_pool>(
      static_cast<std::size_t>(std::max<std::uint64_t>(std::uint64_t{64} << 20, 4 * params_.item_bytes)));
}

std::optional<std::pair<synthetic_batch, synthetic_state>>
synthetic::iterate(const synthetic_state& s) const {
  if (params_.length && s.index >= *params_.length)
    return std::nullopt;
  auto next = s;
  auto seed = next.rng();
  ++next.index;
  return std::make_pair(synthetic_batch{s.index, seed}, next);
}

std::chrono::nanoseconds synthetic::latency_of(const synthetic_batch& b) const {
  double ms = params_.latency_ms;
  if (params_.latency_sigma > 0) {
    // A standard normal draw from the batch's seed (Box-Muller); libm's
    // rounding may differ across platforms, which moves only timings.
    std::uint64_t x = b.seed ^ 0x5DEECE66DULL;
    auto u1 = static_cast<double>(splitmix64(x) >> 11) * 0x1.0p-53;
    auto u2 = static_cast<double>(splitmix64(x) >> 11) * 0x1.0p-53;
    auto z = std::sqrt(-2.0 * std::log1p(-u1)) * std::cos(2.0 * M_PI * u2);
    ms = std::min(ms * std::exp(params_.latency_sigma * z), max_latency_ms);
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(ms * 1e6)};
}

void synthetic::spin_for(std::chrono::nanoseconds cpu) {
  auto used = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds{t.tv_sec} + std::chrono::nanoseconds{t.tv_nsec};
  };
  const auto until = used() + cpu;
  while (used() < until) {
  }
}

void synthetic::fill(std::uint64_t seed, std::uint8_t* out, std::size_t n) {
  auto x = seed;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    auto w = splitmix64(x);
    std::memcpy(out + i, &w, 8);
  }
  if (i < n) {
    auto w = splitmix64(x);
    std::memcpy(out + i, &w, n - i);
  }
}

synthetic_output synthetic::materialize(const synthetic_batch& b) const {
  if (params_.poison_index && b.index == *params_.poison_index)
    throw std::runtime_error("synthetic: batch " + std::to_string(b.index)
                             + " is poisoned and fails every attempt");
  if (params_.transient_fraction > 0) {
    std::uint64_t x = b.seed ^ 0x7A4F5EEDULL;
    auto pick = static_cast<double>(splitmix64(x) >> 11) * 0x1.0p-53;
    if (pick < params_.transient_fraction && attempts_->fail_next(b.index, 1))
      throw std::runtime_error("synthetic: injected transient failure of batch "
                               + std::to_string(b.index));
  }
  if (params_.fail_first_attempts > 0 && attempts_->fail_next(b.index, params_.fail_first_attempts))
    throw std::runtime_error("synthetic: injected failure of batch " + std::to_string(b.index)
                             + " (it fails its first "
                             + std::to_string(params_.fail_first_attempts) + " attempts)");
  if (params_.crash_index == b.index) {
    auto fd = ::open(params_.crash_file.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd >= 0) {
      ::close(fd);
      std::raise(SIGSEGV);
    }
  }
  auto wait = latency_of(b);
  if (params_.slow_worker_factor != 1 && attempts_->slow_thread())
    wait = std::chrono::nanoseconds{
      static_cast<std::int64_t>(static_cast<double>(wait.count()) * params_.slow_worker_factor)};
  if (wait.count() > 0)
    precise_sleep_until(std::chrono::steady_clock::now() + wait);
  if (params_.spin_ms > 0)
    spin_for(std::chrono::nanoseconds{static_cast<std::int64_t>(params_.spin_ms * 1e6)});
  synthetic_output out{b.index, outputs_ ? pooled_values<std::uint8_t>(outputs_, params_.item_bytes)
                                         : tensor<std::uint8_t>::values_type(params_.item_bytes)};
  fill(b.seed, out.bytes.data(), out.bytes.size());
  return out;
}

void precise_sleep_until(std::chrono::steady_clock::time_point deadline) {
  thread_local bool slack_set = [] {
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    return true;
  }();
  (void) slack_set;
  std::this_thread::sleep_until(deadline);
}

}  // namespace lockstep
