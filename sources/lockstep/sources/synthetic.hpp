// The synthetic source: deterministic bytes, chosen latency, injected faults. API.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The tags of the state's tag_invoke overloads, which the batcher calls.
#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

#include "lockstep/runtime/tensor.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep {

struct synthetic_params {
  std::uint64_t item_bytes = 64;  ///< bytes of content per batch
  double latency_ms = 0;          ///< fixed wait, or the median when sigma > 0
  double latency_sigma = 0;       ///< > 0: log-normal latency (stragglers)
  /// Then busy for this much of the thread's CPU time: a CPU-bound
  /// materialize (decoding, augmenting), which competes for the cores with
  /// the runtime's own threads where a sleep would not.
  double spin_ms = 0;
  /// > 1: one worker is this much slower than the others. The first thread
  /// (of this source, in each process) to materialize a batch waits this many
  /// times each latency, every batch it gets: a slow machine or a noisy
  /// neighbour, for straggler tests and the bench.
  double slow_worker_factor = 1;
  std::optional<std::uint64_t> poison_index{};  ///< this batch fails every attempt
  std::uint32_t fail_first_attempts = 0;      ///< every batch fails this many attempts first
  /// This fraction of batches, picked by their seeds, fails its first attempt.
  double transient_fraction = 0;
  std::optional<std::uint64_t> length{};      ///< batches before the end; none: infinite
  /// The first process to materialize batch crash_index creates crash_file
  /// and kills itself with SIGSEGV (to test surviving a crashing node); the
  /// file's existence spares every later attempt.
  std::optional<std::uint64_t> crash_index{};
  std::string crash_file{};

  /// Throws lockstep::error(invalid_config) naming the bad field.
  void validate() const;
};

/// JSON: {"item_bytes": N, "latency_ms": X, "latency_sigma": S,
///        "spin_ms": X, "slow_worker_factor": X (each written only when
///        not its default, so the default parameters read as before),
///        "poison_index": I | null,
///        "fail_first_attempts": K,
///        "transient_fraction": F, "length": N | null,
///        "crash_index": I | null, "crash_file": "path"}.
/// Reading accepts a subset (the rest keep their defaults) and names an
/// unknown or malformed field.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const synthetic_params& p);
synthetic_params tag_invoke(boost::json::value_to_tag<synthetic_params>, const boost::json::value& v);

/// Where the synthetic source stands: its generator and the next batch index.
struct synthetic_state {
  xoshiro256ss rng;
  std::uint64_t index = 0;

  static synthetic_state seeded(std::uint64_t seed) { return {xoshiro256ss{seed}, 0}; }
  friend bool operator==(const synthetic_state&, const synthetic_state&) = default;
};

/// JSON: {"rng": "xoshiro256**", "s": [4 hex words], "index": N}.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const synthetic_state& s);
synthetic_state tag_invoke(boost::json::value_to_tag<synthetic_state>, const boost::json::value& v);

struct synthetic_batch {
  std::uint64_t index = 0;
  std::uint64_t seed = 0;  ///< drawn from the state's generator
  friend bool operator==(const synthetic_batch&, const synthetic_batch&) = default;
};

struct synthetic_output {
  std::uint64_t index = 0;
  /// Unzeroed when made (fill writes every byte) and, read from a node, in
  /// the batcher's receive pool (tensor.hpp).
  tensor<std::uint8_t>::values_type bytes;
  friend bool operator==(const synthetic_output&, const synthetic_output&) = default;
};

template <class Archive>
void serialize(Archive& ar, synthetic_batch& x) {
  ar(x.index, x.seed);
}

template <class Archive>
void serialize(Archive& ar, synthetic_output& x) {
  ar(x.index, x.bytes);
}

/// Batch i of a run holds item_bytes bytes derived from a seed the state's
/// generator draws, so outputs are a pure function of the state. materialize
/// first waits the batch's latency (drawn from its seed, so a straggler stays
/// one across runs), then spins spin_ms of CPU time, then fills the bytes:
/// from pooled_from_bytes up, into a block recycled from released outputs
/// (output_pool, shared by copies of the source), as a real source would.
/// Fault injection: poison_index fails every attempt; fail_first_attempts
/// fails each batch's first k attempts, and transient_fraction the first
/// attempt of some batches, counted per process (a node counts its own).
class synthetic {
 public:
  using state_type = synthetic_state;
  using batch_type = synthetic_batch;
  using output_type = synthetic_output;
  static constexpr std::string_view name = "synthetic";
  static constexpr std::uint32_t state_version = 1;

  explicit synthetic(synthetic_params p = {});

  /// Outputs of at least this many bytes take their memory from the pool:
  /// below it glibc's own caches already reuse freed blocks without faults.
  static constexpr std::uint64_t pooled_from_bytes = std::uint64_t{64} << 10;
  /// The pool outputs come from, or nullptr (item_bytes < pooled_from_bytes).
  const output_pool* output_memory() const noexcept { return outputs_.get(); }

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const;
  output_type materialize(const batch_type& b) const;
  std::size_t output_bytes(const output_type& o) const noexcept {
    return sizeof(o) + o.bytes.size();
  }

  /// What a node needs to build the same source (see source_registry): the
  /// parameters as JSON text.
  std::string params() const;
  static synthetic from_params(const boost::json::value& v);
  const synthetic_params& settings() const noexcept { return params_; }

  /// What the sequence depends on besides the state (source.hpp): item_bytes
  /// and length. Latency and fault injection change timing and failures,
  /// not the batches, so a run may resume with others.
  std::string fingerprint() const;
  static std::uint64_t index_of(const state_type& s) noexcept { return s.index; }

  /// The wait materialize performs for `b`.
  std::chrono::nanoseconds latency_of(const batch_type& b) const;

  /// Keeps the calling thread busy until it has used `cpu` more of its CPU
  /// time (CLOCK_THREAD_CPUTIME_ID): time it spends preempted does not count,
  /// so the work is the same however crowded the cores are.
  static void spin_for(std::chrono::nanoseconds cpu);

  /// The content of a batch: `n` bytes derived from `seed`.
  static void fill(std::uint64_t seed, std::uint8_t* out, std::size_t n);

 private:
  class attempt_counter;
  synthetic_params params_;
  std::shared_ptr<attempt_counter> attempts_;
  std::shared_ptr<output_pool> outputs_;
};

/// Waits until `deadline` with the thread's timer slack at 1 ns, so a 2 ms
/// wait lasts 2 ms and not the kernel's default 50 µs more.
void precise_sleep_until(std::chrono::steady_clock::time_point deadline);

}  // namespace lockstep
