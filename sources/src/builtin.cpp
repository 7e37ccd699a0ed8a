#include "lockstep/sources/builtin.hpp"

#include "lockstep/sources/grid.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep {

source_registry builtin_sources() {
  source_registry r;
  r.add<synthetic>();
  r.add<grid>();
  return r;
}

}  // namespace lockstep
