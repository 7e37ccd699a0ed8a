// The sources every `lockstep node` knows. API.
#pragma once

#include "lockstep/runtime/source_registry.hpp"

namespace lockstep {

/// A registry holding lockstep's built-in core sources (synthetic, grid); add your
/// own to it, and signals::add_sources for the signals component.
source_registry builtin_sources();

}  // namespace lockstep
