// How a state becomes JSON and back, without Boost.JSON's headers in the
// user's translation unit: built-in states are converted in the library,
// other states through their own Boost.JSON tag_invoke overloads, which the
// library hands the boost::json::value to fill or read.
#pragma once

#include <concepts>
#include <limits>
#include <optional>
#include <cstdint>
#include <string>
#include <type_traits>

#include <boost/json/fwd.hpp>

namespace lockstep::detail {

// The library's conversions of built-in states. Reading throws
// lockstep::error(invalid_state) naming what was expected.
void json_from(std::uint64_t x, boost::json::value& out);
void json_from(std::int64_t x, boost::json::value& out);
void json_from(bool x, boost::json::value& out);
void json_from(const std::string& x, boost::json::value& out);
std::uint64_t json_to_uint(const boost::json::value& in, std::uint64_t max);
std::int64_t json_to_int(const boost::json::value& in, std::int64_t min, std::int64_t max);
bool json_to_bool(const boost::json::value& in);
std::string json_to_string(const boost::json::value& in);

/// A state the library converts itself: an integer, bool or string.
template <class T>
concept builtin_json = std::is_integral_v<T> || std::is_same_v<T, std::string>;

// Boost.JSON's tags, named through T so that they are looked up only where a
// state of type T is converted, after the user's headers declared them.
template <class T>
struct json_tags {
  using from = boost::json::value_from_tag;
  using to = boost::json::value_to_tag<T>;
};

/// A state with Boost.JSON tag_invoke overloads for both directions.
template <class T>
concept tag_invoke_json = requires(const T& s, boost::json::value& out,
                                   const boost::json::value& in) {
  tag_invoke(typename json_tags<T>::from{}, out, s);
  { tag_invoke(typename json_tags<T>::to{}, in) } -> std::same_as<T>;
};

template <class T>
concept json_convertible = builtin_json<T> || tag_invoke_json<T>;

template <json_convertible T>
void state_to_json(const T& s, boost::json::value& out) {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>)
    json_from(s, out);
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
    json_from(static_cast<std::int64_t>(s), out);
  else if constexpr (std::is_integral_v<T>)
    json_from(static_cast<std::uint64_t>(s), out);
  else
    tag_invoke(typename json_tags<T>::from{}, out, s);
}

template <json_convertible T>
T state_from_json(const boost::json::value& in) {
  if constexpr (std::is_same_v<T, bool>)
    return json_to_bool(in);
  else if constexpr (std::is_same_v<T, std::string>)
    return json_to_string(in);
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>)
    return static_cast<T>(
      json_to_int(in, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(json_to_uint(in, std::numeric_limits<T>::max()));
  else
    return tag_invoke(typename json_tags<T>::to{}, in);
}

/// Type-erased forms, for the library's side.
using to_json_fn = void (*)(const void* state, boost::json::value& out);
using from_json_fn = void (*)(const boost::json::value& in, void* state);  // std::optional<T>*

template <json_convertible T>
void erased_to_json(const void* state, boost::json::value& out) {
  state_to_json(*static_cast<const T*>(state), out);
}

template <json_convertible T>
void erased_from_json(const boost::json::value& in, void* state) {
  static_cast<std::optional<T>*>(state)->emplace(state_from_json<T>(in));
}

/// The state as compact JSON text.
std::string json_text(to_json_fn to_json, const void* state);

}  // namespace lockstep::detail
