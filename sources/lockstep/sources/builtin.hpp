// The sources every `lockstep node` knows.
#pragma once

#include "lockstep/runtime/source_registry.hpp"

namespace lockstep {

/// A registry holding lockstep's built-in sources; add your own to it.
source_registry builtin_sources();

}  // namespace lockstep
