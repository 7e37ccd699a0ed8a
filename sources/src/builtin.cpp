#include "lockstep/sources/builtin.hpp"

#include "lockstep/sources/synthetic.hpp"

namespace lockstep {

source_registry builtin_sources() {
  source_registry r;
  r.add<synthetic>();
  return r;
}

}  // namespace lockstep
