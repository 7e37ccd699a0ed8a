#include "lockstep/sources/grid.hpp"

#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep {

namespace jf = detail::json_fields;

void grid_params::validate() const {
  auto bad = [](const std::string& why) {
    throw error(errc::invalid_config, "invalid grid source: " + why);
  };
  if (axes.empty())
    bad("axes must list at least one length");
  std::uint64_t n = runs;
  if (runs == 0)
    bad("runs must be at least 1");
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] == 0)
      bad("axis " + std::to_string(i) + " has length 0 (every axis needs at least one value)");
    if (n > index_permutation::max_size / axes[i])
      bad("the axes times runs make more than 2^62 combinations");
    n *= axes[i];
  }
}

std::uint64_t grid_params::length() const {
  std::uint64_t n = runs;
  for (auto a : axes)
    n *= a;
  return n;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const grid_params& p) {
  boost::json::array axes;
  for (auto a : p.axes)
    axes.push_back(a);
  v = boost::json::object{
    {"axes", std::move(axes)},
    {"runs", p.runs},
    {"shuffle", p.shuffle ? boost::json::value(*p.shuffle) : boost::json::value(nullptr)}};
}

grid_params tag_invoke(boost::json::value_to_tag<grid_params>, const boost::json::value& v) {
  constexpr auto code = errc::invalid_config;
  auto& obj = jf::object(v, "grid parameters", code);
  jf::only_keys(obj, {"axes", "runs", "shuffle"}, "grid parameters", code);
  grid_params p;
  auto& axes = jf::field(obj, "axes", "grid parameters", code);
  if (!axes.is_array())
    throw error(code, "grid parameters: axes must be an array of lengths");
  for (auto& a : axes.as_array())
    p.axes.push_back(jf::uint64(a, "axes", code));
  if (auto* x = obj.if_contains("runs"))
    p.runs = jf::uint64(*x, "runs", code);
  if (auto* x = obj.if_contains("shuffle"); x && !x->is_null())
    p.shuffle = jf::uint64(*x, "shuffle", code);
  p.validate();
  return p;
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const grid_state& s) {
  v = boost::json::object{{"index", s.index}};
}

grid_state tag_invoke(boost::json::value_to_tag<grid_state>, const boost::json::value& v) {
  auto& obj = jf::object(v, "state");
  jf::only_keys(obj, {"index"}, "state");
  return {jf::uint64(jf::field(obj, "index", "state"), "state.index")};
}

grid::grid(grid_params p) : params_(std::move(p)) {
  params_.validate();
  for (auto a : params_.axes)
    combinations_ *= a;
  length_ = params_.length();
  if (params_.shuffle)
    order_.emplace(length_, *params_.shuffle);
  fingerprint_ = params();
}

std::optional<std::pair<grid_batch, grid_state>> grid::iterate(const grid_state& s) const {
  if (s.index >= length_)
    return std::nullopt;
  auto at = order_ ? order_->at(s.index) : s.index;
  return std::make_pair(grid_batch{s.index, at % combinations_, at / combinations_},
                        grid_state{s.index + 1});
}

grid_output grid::materialize(const grid_batch& b) const {
  grid_output out{b.index, b.run, std::vector<std::uint64_t>(params_.axes.size())};
  auto rest = b.combination;
  for (std::size_t i = params_.axes.size(); i-- > 0;) {  // the last axis fastest
    out.at[i] = rest % params_.axes[i];
    rest /= params_.axes[i];
  }
  return out;
}

std::string grid::params() const {
  return boost::json::serialize(boost::json::value_from(params_));
}

grid grid::from_params(const boost::json::value& v) {
  return grid{boost::json::value_to<grid_params>(v)};
}

}  // namespace lockstep
