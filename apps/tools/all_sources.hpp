// Every source lockstep ships, in one registry: what `lockstep node` serves.
#pragma once

#include "lockstep/runtime/source_registry.hpp"

namespace lockstep::tools {

/// builtin_sources() plus the signals component's.
source_registry all_sources();

}  // namespace lockstep::tools
