// libFuzzer: any bytes as a checkpoint file must give a state or a
// lockstep::error, never a crash, hang or other exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/sources/synthetic.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    auto c = lockstep::parse_checkpoint(text, "fuzz");
    auto state = lockstep::restore_state<lockstep::synthetic>(c, "fuzz");
    // What was read must write back and read again to the same state.
    auto again = lockstep::restore_state<lockstep::synthetic>(
      lockstep::checkpoint_from_json(lockstep::to_json(
                                       lockstep::make_checkpoint<lockstep::synthetic>(state, c.index)),
                                     "fuzz"),
      "fuzz");
    if (!(again == state))
      __builtin_trap();
  } catch (const lockstep::error&) {
  }
  return 0;
}
