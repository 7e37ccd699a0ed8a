#include "lockstep/detail/state_json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

void json_from(std::uint64_t x, boost::json::value& out) {
  out = x;
}

void json_from(std::int64_t x, boost::json::value& out) {
  out = x;
}

void json_from(bool x, boost::json::value& out) {
  out = x;
}

void json_from(const std::string& x, boost::json::value& out) {
  out = x;
}

std::uint64_t json_to_uint(const boost::json::value& in, std::uint64_t max) {
  auto x = json_fields::uint64(in, "state");
  if (x > max)
    throw error(errc::invalid_state, "state " + std::to_string(x) + " is above its type's maximum "
                                       + std::to_string(max));
  return x;
}

std::int64_t json_to_int(const boost::json::value& in, std::int64_t min, std::int64_t max) {
  std::int64_t x = 0;
  if (in.is_int64())
    x = in.get_int64();
  else if (in.is_uint64() && in.get_uint64() <= static_cast<std::uint64_t>(max))
    x = static_cast<std::int64_t>(in.get_uint64());
  else
    throw error(errc::invalid_state,
                "state must be an integer in its type's range, got " + boost::json::serialize(in));
  if (x < min || x > max)
    throw error(errc::invalid_state, "state " + std::to_string(x) + " is out of its type's range");
  return x;
}

bool json_to_bool(const boost::json::value& in) {
  return json_fields::boolean(in, "state");
}

std::string json_to_string(const boost::json::value& in) {
  return json_fields::string(in, "state");
}

std::string json_text(to_json_fn to_json, const void* state) {
  boost::json::value v;
  to_json(state, v);
  return boost::json::serialize(v);
}

}  // namespace lockstep::detail
