#include "lockstep/detail/source_adapter.hpp"

namespace lockstep::detail {

void not_serializable(std::string_view name, const char* what) {
  throw error(errc::invalid_config, "source \"" + std::string{name} + "\" has no serialize() for its "
                                      + what + "; digests and remote nodes need one "
                                      "(see lockstep/messages/serialize.hpp)");
}

}  // namespace lockstep::detail
