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
    // With changes accepted, so the fuzzer reaches the state's parser.
    const lockstep::synthetic src;
    auto c = lockstep::parse_checkpoint(src, text, "fuzz", {.accept_changes = true});
    // What was read must write back and read again to the same state.
    auto again = lockstep::parse_checkpoint(src, lockstep::checkpoint_text(src, c.state, c.index),
                                            "fuzz");
    if (!(again.state == c.state) || again.index != c.index)
      __builtin_trap();
  } catch (const lockstep::error&) {
  }
  return 0;
}
