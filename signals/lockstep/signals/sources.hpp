// The signals sources in a registry, for `lockstep node` and node binaries. API.
#pragma once

#include "lockstep/runtime/source_registry.hpp"

namespace lockstep::signals {

/// Adds random_batches (as "signals") to `registry`.
void add_sources(source_registry& registry);

}  // namespace lockstep::signals
