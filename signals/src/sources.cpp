#include "lockstep/signals/sources.hpp"

#include "lockstep/signals/random_batches.hpp"

namespace lockstep::signals {

void add_sources(source_registry& registry) {
  registry.add<random_batches>();
}

}  // namespace lockstep::signals
