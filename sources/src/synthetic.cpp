#include "lockstep/sources/synthetic.hpp"

#include <cmath>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

#include <sys/prctl.h>

#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/json_fields.hpp"

namespace lockstep {

namespace jf = json_fields;

void synthetic_params::validate() const {
  auto bad = [](const std::string& field, const std::string& why) {
    throw error(errc::invalid_config, "invalid synthetic source: " + field + " " + why);
  };
  constexpr std::uint64_t max_item_bytes = std::uint64_t{1} << 32;
  if (item_bytes > max_item_bytes)
    bad("item_bytes", "is " + std::to_string(item_bytes) + "; at most 4 GiB are supported");
  if (!(std::isfinite(latency_ms) && latency_ms >= 0))
    bad("latency_ms", "must be a finite number >= 0");
  if (!(std::isfinite(latency_sigma) && latency_sigma >= 0))
    bad("latency_sigma", "must be a finite number >= 0");
  if (latency_sigma > 0 && latency_ms == 0)
    bad("latency_sigma", "needs a latency_ms > 0 (the median)");
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

 private:
  std::mutex mtx_;
  std::unordered_map<std::uint64_t, std::uint32_t> failed_;
};

synthetic::synthetic(synthetic_params p)
    : params_(p), attempts_(std::make_shared<attempt_counter>()) {
  params_.validate();
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
    ms *= std::exp(params_.latency_sigma * z);
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(ms * 1e6)};
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
  if (params_.fail_first_attempts > 0 && attempts_->fail_next(b.index, params_.fail_first_attempts))
    throw std::runtime_error("synthetic: injected failure of batch " + std::to_string(b.index)
                             + " (it fails its first "
                             + std::to_string(params_.fail_first_attempts) + " attempts)");
  if (auto wait = latency_of(b); wait.count() > 0)
    precise_sleep_until(std::chrono::steady_clock::now() + wait);
  synthetic_output out{b.index, std::vector<std::uint8_t>(params_.item_bytes)};
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
