// A source for tests: synthetic batches plus counters, gates and faults.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "lockstep/sources/synthetic.hpp"

namespace lockstep::test {

/// What a probe_source records and how it misbehaves; shared by its copies.
struct probe {
  std::atomic<int> iterations{0};
  std::atomic<int> materializations{0};
  std::atomic<int> live_outputs{0};
  std::atomic<int> max_live_outputs{0};

  /// Batches whose materialize blocks until open_gate().
  void close_gate(std::set<std::uint64_t> indices);
  void open_gate();
  /// How many materialize calls wait at the gate now.
  int waiting_at_gate() const { return waiting_.load(); }

  /// The first attempt at batch `kill_index` throws an int (not a
  /// std::exception), which escapes and kills the worker actor.
  std::optional<std::uint64_t> kill_index;
  std::atomic<bool> killed{false};

  void wait_gate(std::uint64_t index);

 private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::set<std::uint64_t> gated_;
  std::atomic<int> waiting_{0};
};

/// Counts itself in probe::live_outputs while it exists (moved-from: not).
class live_token {
 public:
  live_token() = default;
  explicit live_token(std::shared_ptr<probe> p);
  live_token(const live_token& other);
  live_token(live_token&& other) noexcept : p_(std::move(other.p_)) {}
  live_token& operator=(live_token other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~live_token();

 private:
  std::shared_ptr<probe> p_;
};

struct probe_output {
  std::uint64_t index = 0;
  decltype(synthetic_output::bytes) bytes;
  live_token token;
  friend bool operator==(const probe_output& a, const probe_output& b) {
    return a.index == b.index && a.bytes == b.bytes;
  }
};

template <class Archive>
void serialize(Archive& ar, probe_output& x) {
  ar(x.index, x.bytes);
}

class probe_source {
 public:
  using state_type = synthetic_state;
  using batch_type = synthetic_batch;
  using output_type = probe_output;
  static constexpr std::string_view name = "synthetic";

  explicit probe_source(synthetic_params params = {},
                        std::shared_ptr<probe> p = std::make_shared<probe>());

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const;
  output_type materialize(const batch_type& b) const;

  const std::shared_ptr<probe>& probe_ptr() const { return probe_; }

 private:
  synthetic inner_;
  std::shared_ptr<probe> probe_;
};

}  // namespace lockstep::test
