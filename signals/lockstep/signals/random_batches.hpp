// random_batches: labeled random windows of EDF recordings, the port of
// OndaBatches' RandomBatches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The tags of the state's tag_invoke overloads, which the batcher calls.
#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

#include "lockstep/runtime/output_pool.hpp"
#include "lockstep/runtime/tensor.hpp"
#include "lockstep/signals/dataset.hpp"
#include "lockstep/sources/xoshiro256.hpp"

namespace lockstep::signals {

/// Windows per batch at most: far beyond a useful batch, and a bound on
/// what one bad parameter can make a process allocate.
constexpr std::uint32_t max_batch_size = 65536;

/// Epochs per sequence at most (sequence_epochs).
constexpr std::uint32_t max_sequence_epochs = 1024;

enum class window_order {
  random,      ///< infinite random draws, as OndaBatches' RandomBatches
  sequential,  ///< one finite pass: every window of every recording once, in order
};

/// "random", "sequential"; parse_window_order throws
/// lockstep::error(invalid_config) naming the choices for others.
std::string_view window_order_name(window_order o);
window_order parse_window_order(std::string_view text);

struct random_batches_params {
  std::uint32_t batch_size = 64;
  double window_seconds = 30;  ///< a whole number of epochs, no longer than any drawable recording's labels
  std::optional<std::uint32_t> n_channels;  ///< none: every channel, in order
  /// Windows of this many consecutive epochs with `x` as
  /// [batch][epoch][channel][samples of one epoch]; window_seconds must then
  /// be one epoch (its default) or all k. None: `x` is [batch][channel][samples].
  std::optional<std::uint32_t> sequence_epochs;
  /// sequential: the windows that tile each recording's labels from its first
  /// epoch (a last partial window is left out), recording after recording, in
  /// batches of batch_size (the last may be smaller), then the end. Every
  /// channel; the weights and the state's generator are not used.
  window_order order = window_order::random;
  /// One per recording; none: the dataset's weights (the manifest's, or 1).
  std::optional<std::vector<double>> signal_weights;
  /// One list per recording with one weight per epoch; none: all equal.
  std::optional<std::vector<std::vector<double>>> label_weights;
};

/// Where a run stands: its generator and the batches drawn before it.
struct random_batches_state {
  xoshiro256ss rng;
  std::uint64_t index = 0;

  static random_batches_state seeded(std::uint64_t seed) { return {xoshiro256ss{seed}, 0}; }
  friend bool operator==(const random_batches_state&, const random_batches_state&) = default;
};

/// JSON: {"rng": "xoshiro256**", "s": [4 hex words], "index": N}.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const random_batches_state& s);
random_batches_state tag_invoke(boost::json::value_to_tag<random_batches_state>,
                                const boost::json::value& v);

/// One item of a batch: where its window lies.
struct window {
  std::uint32_t recording = 0;     ///< index into dataset::recordings()
  std::uint64_t start_epoch = 0;   ///< index of its first label
  std::uint64_t start_sample = 0;  ///< in the recording's signals, from the file's start
  std::vector<std::uint16_t> channels;  ///< EDF signal numbers, in the order drawn
  friend bool operator==(const window&, const window&) = default;
};

struct random_batch {
  std::vector<window> items;
  friend bool operator==(const random_batch&, const random_batch&) = default;
};

/// What the client receives.
struct labeled_batch {
  tensor<float> x;          ///< [batch][channel][sample] (or [batch][epoch][channel][sample]), physical units (µV for EEG) unless scaled
  tensor<std::uint8_t> y;   ///< [batch][epoch], label codes
  std::vector<window> items;
  friend bool operator==(const labeled_batch&, const labeled_batch&) = default;
};

template <class Archive>
void serialize(Archive& ar, window& x) {
  ar(x.recording, x.start_epoch, x.start_sample, x.channels);
}

template <class Archive>
void serialize(Archive& ar, random_batch& x) {
  ar(x.items);
}

template <class Archive>
void serialize(Archive& ar, labeled_batch& x) {
  ar(x.x, x.y, x.items);
}

/// A source of batches of labeled windows: infinite random draws or, with
/// order = sequential, one ordered pass.
///
/// Each item draws, from the state's xoshiro256** generator and in this
/// order: a recording (weighted), an epoch of it (weighted), a window start
/// uniformly among the starts whose window holds that epoch and fits the
/// labels, then n_channels channels without replacement (none when all are
/// taken). docs/signals.md lists the exact generator calls. materialize reads
/// the windows with edf_file::read; a batch is a pure function of the state.
///
/// `x` is written into a block recycled from the outputs the client freed
/// (output_pool, docs/output-memory.md), shared by copies of the source: a
/// fresh block would fault in all its pages again.
class random_batches {
 public:
  using state_type = random_batches_state;
  using batch_type = random_batch;
  using output_type = labeled_batch;
  static constexpr std::string_view name = "signals";
  static constexpr std::uint32_t state_version = 2;  // 2: the state holds its index

  /// Throws lockstep::error(invalid_config) naming the parameter: a batch
  /// size of 0; a window of 0 s, not a whole number of epochs, or longer than
  /// a drawable recording's labels; weights of the wrong length, negative or
  /// all zero; n_channels of 0 or more than a drawable recording has; or, with
  /// all channels, drawable recordings with different channel counts.
  random_batches(std::shared_ptr<const dataset> data, random_batches_params params = {});

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const;
  output_type materialize(const batch_type& b) const;
  /// Part `part` of `parts` of a batch, for ranks in split mode
  /// (rank_share.hpp): contiguous windows, as part_range divides them.
  batch_type part_of(const batch_type& b, std::size_t part, std::size_t parts) const;
  std::size_t output_bytes(const output_type& o) const noexcept {
    return sizeof(o) + o.x.values.size() * sizeof(float) + o.y.values.size()
           + o.items.size() * sizeof(window);
  }

  /// One item, as iterate draws it.
  window draw_window(xoshiro256ss& rng) const;

  const dataset& data() const noexcept { return *data_; }
  const random_batches_params& settings() const noexcept { return params_; }

  /// What a node needs to materialize this source's batches: the dataset's
  /// path (which must exist on the node), its options and the window. The
  /// weights are left out: they only steer iterate, which never runs on a
  /// node. Doubles travel as 17-digit strings, which read back exactly.
  /// JSON text.
  std::string params() const;

  /// Opens the dataset at the path params() names; throws lockstep::error
  /// (invalid_dataset naming the path, invalid_config naming a bad field).
  static random_batches from_params(const boost::json::value& v);

  /// What the sequence depends on besides the state (source.hpp): the
  /// options and window, and per recording (by name, in order) the digest
  /// of its PSG file (file_digest), of its labels, its weight and the digest
  /// of its label weights. The dataset's path is not in it: the same data
  /// moved elsewhere is the same sequence.
  const std::string& fingerprint() const noexcept { return fingerprint_; }
  static std::uint64_t index_of(const state_type& s) noexcept { return s.index; }
  std::uint64_t window_epochs() const noexcept { return window_epochs_; }
  std::uint64_t window_samples() const noexcept { return window_epochs_ * data_->epoch_samples(); }
  /// sequential: how many windows the pass holds (0 for random draws).
  std::uint64_t pass_windows() const noexcept;
  /// Channels per item.
  std::uint32_t channels() const noexcept { return channels_; }
  /// Where `x` comes from; it keeps at most output_pool_bytes(), idle.
  const output_pool& output_memory() const noexcept { return *outputs_; }
  /// The pool's bound: 64 MiB, or four batches' `x` if that is more.
  std::size_t output_pool_bytes() const noexcept;

 private:
  struct tables;
  std::string make_fingerprint(const std::vector<double>& weights) const;
  window pass_window(std::uint64_t i) const;

  std::shared_ptr<const dataset> data_;
  random_batches_params params_;
  std::shared_ptr<const tables> tables_;
  std::uint64_t window_epochs_ = 0;
  std::uint32_t channels_ = 0;
  std::string fingerprint_;
  std::shared_ptr<output_pool> outputs_;
};

}  // namespace lockstep::signals
