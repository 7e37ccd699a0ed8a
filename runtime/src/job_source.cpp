#include "lockstep/detail/job_source.hpp"

#include <boost/json/value.hpp>

#include "lockstep/detail/json_fields.hpp"

namespace lockstep::detail {

namespace jf = json_fields;

void ordinal_state_to_json(boost::json::value& out, to_json_fn state_to, const void* state,
                           std::uint64_t ordinal) {
  boost::json::value s;
  state_to(state, s);
  out = boost::json::object{{"state", std::move(s)}, {"ordinal", ordinal}};
}

std::uint64_t ordinal_state_from_json(const boost::json::value& in, from_json_fn state_from,
                                      void* state) {
  auto& obj = jf::object(in, "job state");
  jf::only_keys(obj, {"state", "ordinal"}, "job state");
  state_from(jf::field(obj, "state", "job state"), state);
  return jf::uint64(jf::field(obj, "ordinal", "job state"), "ordinal");
}

}  // namespace lockstep::detail
