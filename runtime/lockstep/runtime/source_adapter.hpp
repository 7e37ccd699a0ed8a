// Wraps a typed source as the erased_source the actors run.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include "lockstep/actors/erased_source.hpp"
#include "lockstep/runtime/encode.hpp"
#include "lockstep/runtime/errors.hpp"
#include "lockstep/runtime/source.hpp"

namespace lockstep {

template <source S>
class source_adapter final : public erased_source {
 public:
  using state_type = typename S::state_type;
  using batch_type = typename S::batch_type;
  using output_type = typename S::output_type;

  explicit source_adapter(S src) : src_(std::move(src)) {
  }

  const S& get() const noexcept { return src_; }

  /// A box that refers to `s` without owning it; valid while `s` lives.
  static box borrow(const state_type& s) {
    return box{box{}, const_cast<state_type*>(&s)};
  }
  static box own(state_type s) { return std::make_shared<state_type>(std::move(s)); }
  static const state_type& state(const box& b) { return *static_cast<const state_type*>(b.get()); }

  std::string_view name() const override { return S::name; }

  std::optional<erased_step> iterate(const box& state_box) const override {
    auto step = src_.iterate(state(state_box));
    if (!step)
      return std::nullopt;
    return erased_step{std::make_shared<batch_type>(std::move(step->first)),
                       std::make_shared<state_type>(std::move(step->second))};
  }

  box materialize(const box& batch) const override {
    return std::make_shared<output_type>(
      src_.materialize(*static_cast<const batch_type*>(batch.get())));
  }

  bool equal_states(const box& a, const box& b) const override {
    return state(a) == state(b);
  }

  box copy_state(const box& s) const override { return own(state(s)); }

  std::string describe_state(const box& s) const override {
    return boost::json::serialize(boost::json::value_from(state(s)));
  }

  std::vector<char> encode_output(const box& output) const override {
    if constexpr (encodable<output_type>) {
      return encode(*static_cast<const output_type*>(output.get()));
    } else {
      throw error(errc::invalid_config,
                  std::string{"source "} + std::string{S::name}
                    + " has no inspect() for its output_type; digests and remote "
                      "workers need one");
    }
  }

 private:
  S src_;
};

}  // namespace lockstep
