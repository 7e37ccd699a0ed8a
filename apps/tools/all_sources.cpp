#include "all_sources.hpp"

#include "lockstep/signals/sources.hpp"
#include "lockstep/sources/builtin.hpp"

namespace lockstep::tools {

source_registry all_sources() {
  auto r = builtin_sources();
  signals::add_sources(r);
  return r;
}

}  // namespace lockstep::tools
