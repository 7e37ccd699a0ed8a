// The indexed source: batches of a random-access dataset, epoch after epoch,
// shuffled per epoch without a permutation table. API.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>

#include "lockstep/runtime/rank_share.hpp"
#include "lockstep/sources/index_permutation.hpp"

namespace lockstep {

/// What a user gives: a random-access dataset (PyTorch's map-style Dataset,
/// Grain's data sources). get(i) is called from several threads at once, for
/// i in [0, size()), and must be deterministic. Optional: `std::string
/// fingerprint() const` (JSON text naming the data), which checkpoints
/// record, so a changed dataset refuses a saved state.
template <class D>
concept indexed_dataset = requires(const D& d, std::uint64_t i) {
  { d.size() } -> std::convertible_to<std::uint64_t>;
  d.get(i);
};

struct indexed_params {
  std::uint64_t batch_size = 1;
  /// Each epoch in its own seeded random order (a bijection on the index,
  /// index_permutation, keyed from the state's seed and the epoch); false:
  /// in index order.
  bool shuffle = true;
  /// Passes over the dataset; none: without end.
  std::optional<std::uint64_t> epochs{};
  /// An epoch's last batch, when shorter than batch_size: dropped, or (the
  /// default) delivered short. Batches never span two epochs.
  bool drop_last = false;

  /// Throws lockstep::error(invalid_config) naming the field, given the
  /// dataset's size.
  void validate(std::uint64_t dataset_size) const;
};

/// Where a pass stands: the seed of the shuffles, the epoch, the position in
/// the epoch's order, and the batches before.
struct indexed_state {
  std::uint64_t seed = 0;
  std::uint64_t epoch = 0;
  std::uint64_t position = 0;
  std::uint64_t index = 0;

  static indexed_state seeded(std::uint64_t seed) { return {seed, 0, 0, 0}; }
  friend bool operator==(const indexed_state&, const indexed_state&) = default;
};

/// JSON: {"seed": N, "epoch": N, "position": N, "index": N}.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const indexed_state& s);
indexed_state tag_invoke(boost::json::value_to_tag<indexed_state>, const boost::json::value& v);

/// Positions [first, first + count) of an epoch's order.
struct indexed_batch {
  std::uint64_t index = 0;
  std::uint64_t seed = 0;
  std::uint64_t epoch = 0;
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  friend bool operator==(const indexed_batch&, const indexed_batch&) = default;
};

/// What a batch holds: the dataset's items and their indices.
template <class Item>
struct indexed_output {
  std::uint64_t index = 0;  ///< the batch's position in the run
  std::uint64_t epoch = 0;
  std::vector<std::uint64_t> ids;  ///< get(ids[k]) is items[k]
  std::vector<Item> items;
  friend bool operator==(const indexed_output&, const indexed_output&) = default;
};

namespace detail {

/// The epoch's order, or none without shuffle.
std::optional<index_permutation> epoch_order(const indexed_params& p, std::uint64_t size,
                                             std::uint64_t seed, std::uint64_t epoch);
/// The state after `s`'s batch, and the batch; nullopt after the last epoch.
std::optional<std::pair<indexed_batch, indexed_state>> indexed_step(const indexed_params& p,
                                                                    std::uint64_t size,
                                                                    const indexed_state& s);
std::string indexed_fingerprint(const indexed_params& p, std::uint64_t size,
                                const std::string& data);

template <class D>
std::string dataset_fingerprint(const D& d) {
  if constexpr (requires { { d.fingerprint() } -> std::convertible_to<std::string>; })
    return d.fingerprint();
  else
    return "null";
}

}  // namespace detail

/// Batches of `batch_size` items of a dataset, epoch after epoch: the
/// sampler, batching and epochs a user of a map-style dataset would
/// otherwise write. The order is a pure function of the state's seed and
/// the epoch, O(1) in memory whatever the dataset's size (2^62 items at
/// most). For ranks, both modes work: interleave hands ranks whole batches,
/// split hands each a contiguous part of every batch (part_of).
template <indexed_dataset D>
class indexed {
 public:
  using item_type = std::decay_t<decltype(std::declval<const D&>().get(std::uint64_t{}))>;
  using state_type = indexed_state;
  using batch_type = indexed_batch;
  using output_type = indexed_output<item_type>;
  static constexpr std::string_view name = "indexed";
  static constexpr std::uint32_t state_version = 1;

  /// Throws lockstep::error(invalid_config): a bad parameter, or a dataset
  /// that is empty or larger than 2^62 items.
  indexed(std::shared_ptr<const D> data, indexed_params p)
    : data_(std::move(data)), params_(p), size_(static_cast<std::uint64_t>(data_->size())) {
    params_.validate(size_);
    fingerprint_ = detail::indexed_fingerprint(params_, size_, detail::dataset_fingerprint(*data_));
  }

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    return detail::indexed_step(params_, size_, s);
  }

  output_type materialize(const batch_type& b) const {
    auto order = detail::epoch_order(params_, size_, b.seed, b.epoch);
    output_type out{b.index, b.epoch, {}, {}};
    out.ids.reserve(b.count);
    out.items.reserve(b.count);
    for (std::uint64_t k = 0; k < b.count; ++k) {
      auto at = b.first + k;
      out.ids.push_back(order ? order->at(at) : at);
      out.items.push_back(data_->get(out.ids.back()));
    }
    return out;
  }

  /// Part `part` of `parts` of a batch (rank_share's split mode).
  batch_type part_of(const batch_type& b, std::size_t part, std::size_t parts) const {
    auto [first, last] = part_range(b.count, part, parts);
    return {b.index, b.seed, b.epoch, b.first + first, last - first};
  }

  /// The parameters, the size and the dataset's own fingerprint, if any.
  const std::string& fingerprint() const noexcept { return fingerprint_; }
  static std::uint64_t index_of(const state_type& s) noexcept { return s.index; }
  const indexed_params& settings() const noexcept { return params_; }
  std::uint64_t size() const noexcept { return size_; }
  const D& data() const noexcept { return *data_; }

 private:
  std::shared_ptr<const D> data_;
  indexed_params params_;
  std::uint64_t size_ = 0;
  std::string fingerprint_;
};

}  // namespace lockstep
