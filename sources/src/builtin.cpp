#include "lockstep/sources/builtin.hpp"

#include "lockstep/sources/signals/random_batches.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep {

source_registry builtin_sources() {
  source_registry r;
  r.add<synthetic>();
  r.add<signals::random_batches>();
  return r;
}

}  // namespace lockstep
