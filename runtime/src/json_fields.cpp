#include "lockstep/detail/json_fields.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

#include "lockstep/messages/errors.hpp"

namespace lockstep::detail::json_fields {

namespace {

[[noreturn]] void fail(errc code, std::string_view what, std::string_view expected,
                       const boost::json::value& got) {
  auto shown = boost::json::serialize(got);
  if (shown.size() > 60)
    shown = shown.substr(0, 57) + "...";
  throw error(code, std::string{what} + " must be " + std::string{expected} + ", got "
                      + shown);
}

}  // namespace

const boost::json::object& object(const boost::json::value& v, std::string_view what,
                                  errc code) {
  if (!v.is_object())
    fail(code, what, "an object", v);
  return v.get_object();
}

const boost::json::value& field(const boost::json::object& obj, std::string_view key,
                                std::string_view what, errc code) {
  auto i = obj.find(key);
  if (i == obj.end())
    throw error(code, std::string{what} + " has no field \"" + std::string{key} + "\"");
  return i->value();
}

std::uint64_t uint64(const boost::json::value& v, std::string_view what, errc code) {
  if (v.is_uint64())
    return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0)
    return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_string()) {
    auto s = v.get_string();
    std::uint64_t x = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty())
      return x;
  }
  fail(code, what, "a non-negative integer below 2^64", v);
}

double number(const boost::json::value& v, std::string_view what, errc code) {
  double x = 0;
  if (v.is_double())
    x = v.get_double();
  else if (v.is_int64())
    x = static_cast<double>(v.get_int64());
  else if (v.is_uint64())
    x = static_cast<double>(v.get_uint64());
  else
    fail(code, what, "a number", v);
  if (!std::isfinite(x))
    fail(code, what, "a finite number", v);
  return x;
}

std::string string(const boost::json::value& v, std::string_view what, errc code) {
  if (!v.is_string())
    fail(code, what, "a string", v);
  return std::string{v.get_string()};
}

bool boolean(const boost::json::value& v, std::string_view what, errc code) {
  if (!v.is_bool())
    fail(code, what, "true or false", v);
  return v.get_bool();
}

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty())
      out += ", ";
    out += '"';
    out += n;
    out += '"';
  }
  return out;
}

void only_keys(const boost::json::object& obj, std::initializer_list<std::string_view> allowed,
               std::string_view what, errc code) {
  for (auto& kv : obj) {
    bool known = false;
    for (auto a : allowed)
      known = known || kv.key() == a;
    if (!known)
      throw error(code, std::string{what} + " has an unknown field \"" + std::string{kv.key()}
                          + "\" (known: " + join(allowed) + ")");
  }
}

}  // namespace lockstep::detail::json_fields
