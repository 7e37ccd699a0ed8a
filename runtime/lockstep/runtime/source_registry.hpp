// Sources by name: how a node builds the source a run asks for. API.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "lockstep/detail/erased_source.hpp"
#include "lockstep/detail/source_adapter.hpp"

namespace lockstep {

/// Maps source names to factories that build a source from the JSON its
/// params() returns on the manager's side. A node holds one; a node binary of
/// your own registers your sources in it (see serve_node).
class source_registry {
 public:
  using factory =
    std::function<std::shared_ptr<const detail::erased_source>(const boost::json::value& params)>;

  /// Registers S under S::name, built by `make(params)`.
  template <source S, class Make>
  void add(Make make) {
    add_factory(std::string{S::name},
                [make](const boost::json::value& params)
                  -> std::shared_ptr<const detail::erased_source> {
                  return std::make_shared<detail::source_adapter<S>>(make(params));
                });
  }

  /// Registers S under S::name, built by S::from_params(params).
  template <source S>
  void add() {
    add<S>([](const boost::json::value& params) { return S::from_params(params); });
  }

  void add_factory(std::string name, factory make);

  /// Builds source `name` from `params_json`. Throws lockstep::error:
  /// unknown_source (naming the known ones), invalid_config for parameters
  /// that are not JSON, or whatever the factory throws (e.g. invalid_dataset).
  std::shared_ptr<const detail::erased_source> make(std::string_view name,
                                                    std::string_view params_json) const;

  std::vector<std::string> names() const;

 private:
  std::map<std::string, factory, std::less<>> factories_;
};

}  // namespace lockstep
