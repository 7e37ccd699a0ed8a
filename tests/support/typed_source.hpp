// The probe source as the actors see it, with helpers to read deliveries.
#pragma once

#include <memory>

#include "lockstep/detail/delivery.hpp"
#include "lockstep/detail/source_adapter.hpp"
#include "probe_source.hpp"

namespace lockstep::test {

using probe_adapter = detail::source_adapter<probe_source>;

inline std::shared_ptr<probe_adapter> make_adapter(synthetic_params p = {},
                                                   std::shared_ptr<probe> pr = std::make_shared<probe>()) {
  return std::make_shared<probe_adapter>(probe_source{p, std::move(pr)});
}

inline const probe_output& output_of(const detail::delivery& d) {
  return *static_cast<const probe_output*>(d.output.get());
}

inline const synthetic_state& state_of(const detail::const_box& b) {
  return *static_cast<const synthetic_state*>(b.get());
}

}  // namespace lockstep::test
