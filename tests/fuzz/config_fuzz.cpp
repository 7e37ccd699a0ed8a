// libFuzzer: any bytes as a config file must give a valid config or a
// lockstep::error(invalid_config), never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto c = lockstep::config_from_json(std::string_view{reinterpret_cast<const char*>(data), size});
    c.validate();  // what was accepted must stay valid
  } catch (const lockstep::error& e) {
    if (e.code() != lockstep::errc::invalid_config)
      __builtin_trap();
  }
  return 0;
}
