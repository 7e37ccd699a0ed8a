// Wraps a typed source as the erased_source the actors run.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/output_codec.hpp"
#include "lockstep/detail/state_json.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/serialize.hpp"
#include "lockstep/runtime/output_pool.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep::detail {

/// Throws lockstep::error(invalid_config): source `name`'s `what` has no
/// serialize(), which digests and remote nodes need.
[[noreturn]] void not_serializable(std::string_view name, const char* what);

template <source S>
class source_adapter final : public erased_source {
 public:
  using state_type = typename S::state_type;
  using batch_type = typename S::batch_type;
  using output_type = typename S::output_type;

  explicit source_adapter(S src) : src_(std::move(src)), fingerprint_(fingerprint_of(src_)) {
    // Registered before any output of this type can arrive from a node.
    if constexpr (serializable<output_type>)
      (void)output_codec_of<output_type>();
  }

  const S& get() const noexcept { return src_; }

  /// Idle memory the receive pool keeps at most: 64 MiB, as random_batches'.
  static constexpr std::size_t receive_pool_bytes = std::size_t{64} << 20;

  /// Outputs of this source that arrive from nodes reuse the memory of ones
  /// the client has released instead of faulting in fresh pages
  /// (docs/output-memory.md). For the batcher's adapter; a node's copy sends
  /// outputs and never reads any.
  void receive_into_pool() {
    if constexpr (serializable<output_type>) {
      receive_pool_ = std::make_shared<output_pool>(receive_pool_bytes);
      output_codec_of<output_type>().receive_into(receive_pool_);
    }
  }

  /// A box that refers to `s` without owning it; valid while `s` lives.
  static const_box borrow(const state_type& s) { return const_box{const_box{}, &s}; }
  static const state_type& state(const const_box& b) {
    return *static_cast<const state_type*>(b.get());
  }

  std::string_view name() const override { return S::name; }

  std::optional<erased_step> iterate(const const_box& state_box) const override {
    auto step = src_.iterate(state(state_box));
    if (!step)
      return std::nullopt;
    // One allocation for both: the state keeps its batch alive, which costs
    // a batch's memory per state held and saves an allocation per batch.
    auto both = std::make_shared<const std::pair<batch_type, state_type>>(std::move(*step));
    return erased_step{const_box{both, &both->first}, const_box{both, &both->second}};
  }

  box materialize(const const_box& batch) const override {
    return std::make_shared<output_type>(
      src_.materialize(*static_cast<const batch_type*>(batch.get())));
  }

  std::size_t output_bytes(const box& output) const override {
    return output_bytes_of(src_, *static_cast<const output_type*>(output.get()));
  }

  bool equal_states(const const_box& a, const const_box& b) const override {
    return state(a) == state(b);
  }

  const_box copy_state(const const_box& s) const override {
    return std::make_shared<const state_type>(state(s));
  }

  std::string describe_state(const const_box& s) const override {
    return json_text(&erased_to_json<state_type>, s.get());
  }

  std::vector<char> encode_batch(const const_box& batch) const override {
    if constexpr (serializable<batch_type>)
      return encode(*static_cast<const batch_type*>(batch.get()));
    else
      not_serializable(S::name, "batch_type");
  }

  const_box decode_batch(const std::vector<char>& bytes) const override {
    if constexpr (serializable<batch_type>)
      return std::make_shared<const batch_type>(decode<batch_type>(bytes));
    else
      not_serializable(S::name, "batch_type");
  }

  const output_codec& outputs() const override {
    if constexpr (serializable<output_type>)
      return output_codec_of<output_type>();
    else
      not_serializable(S::name, "output_type");
  }

  std::string_view output_type_name() const override {
    return detail::output_type_name<output_type>();
  }

  std::optional<std::string> params_json() const override {
    if constexpr (requires {
                    { src_.params() } -> std::convertible_to<std::string>;
                  })
      return src_.params();
    else
      return std::nullopt;
  }

  std::string fingerprint_json() const override { return fingerprint_; }

 private:
  S src_;
  std::string fingerprint_;
  std::shared_ptr<output_pool> receive_pool_;
};

}  // namespace lockstep::detail
