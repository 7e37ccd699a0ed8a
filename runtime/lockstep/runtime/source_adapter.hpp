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
    return encode_boxed<output_type>(output, "output_type");
  }
  caf::error save_output(caf::serializer& sink, const box& output) const override {
    if constexpr (encodable<output_type>)
      return sink(*static_cast<output_type*>(output.get()));
    else
      not_encodable("output_type");
  }
  caf::error load_output(caf::deserializer& source, box& output) const override {
    if constexpr (encodable<output_type> && std::default_initializable<output_type>) {
      auto value = std::make_shared<output_type>();
      auto err = source(*value);
      output = std::move(value);
      return err;
    } else {
      not_encodable("output_type");
    }
  }
  std::vector<char> encode_batch(const box& batch) const override {
    return encode_boxed<batch_type>(batch, "batch_type");
  }
  box decode_batch(const std::vector<char>& bytes) const override {
    return decode_boxed<batch_type>(bytes, "batch_type");
  }

  std::optional<std::string> params_json() const override {
    // Parentheses: braces would make a JSON array of the value.
    if constexpr (requires { boost::json::value(src_.params()); })
      return boost::json::serialize(boost::json::value(src_.params()));
    else
      return std::nullopt;
  }

 private:
  [[noreturn]] static void not_encodable(const char* what) {
    throw error(errc::invalid_config, std::string{"source "} + std::string{S::name}
                                        + " has no CAF inspect() for its " + what
                                        + "; digests and remote workers need one");
  }

  template <class T>
  static std::vector<char> encode_boxed(const box& b, const char* what) {
    if constexpr (encodable<T>)
      return encode(*static_cast<const T*>(b.get()));
    else
      not_encodable(what);
  }

  template <class T>
  static box decode_boxed(const std::vector<char>& bytes, const char* what) {
    if constexpr (encodable<T> && std::default_initializable<T>)
      return std::make_shared<T>(decode<T>(bytes));
    else
      not_encodable(what);
  }

  S src_;
};

}  // namespace lockstep
