// libFuzzer: any bytes as a checkpoint file must give a state or a
// lockstep::error, never a crash, hang or other exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/sources/synthetic.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    auto c = lockstep::parse_checkpoint<lockstep::synthetic>(text, "fuzz");
    // What was read must write back and read again to the same state.
    auto again = lockstep::parse_checkpoint<lockstep::synthetic>(
      lockstep::checkpoint_text<lockstep::synthetic>(c.state, c.index), "fuzz");
    if (!(again.state == c.state) || again.index != c.index)
      __builtin_trap();
  } catch (const lockstep::error&) {
  }
  return 0;
}
