#include "lockstep/runtime/source_registry.hpp"

#include <boost/json/parse.hpp>

#include "lockstep/messages/errors.hpp"

namespace lockstep {

void source_registry::add_factory(std::string name, factory make) {
  factories_.insert_or_assign(std::move(name), std::move(make));
}

std::shared_ptr<const detail::erased_source> source_registry::make(std::string_view name,
                                                           std::string_view params_json) const {
  auto i = factories_.find(name);
  if (i == factories_.end()) {
    std::string known;
    for (auto& n : names())
      known += (known.empty() ? "" : ", ") + n;
    throw error(errc::unknown_source, "no source named \"" + std::string{name}
                                        + "\" is registered (known: " + known + ")");
  }
  std::error_code ec;
  auto params = boost::json::parse(params_json, ec);
  if (ec)
    throw error(errc::invalid_config, "the parameters of source \"" + std::string{name}
                                        + "\" are not valid JSON (" + ec.message() + ")");
  return i->second(params);
}

std::vector<std::string> source_registry::names() const {
  std::vector<std::string> out;
  for (auto& [name, make] : factories_)
    out.push_back(name);
  return out;
}

}  // namespace lockstep
