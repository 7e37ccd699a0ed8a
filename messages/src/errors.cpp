#include "lockstep/messages/errors.hpp"

namespace lockstep {

error::error(errc code, const std::string& message) : std::runtime_error(message), code_(code) {}

namespace {

std::string describe_failure(const std::string& state, const std::string& original,
                             std::uint32_t attempts) {
  std::string what = "the batch after state " + state;
  if (attempts == 0)
    what += " could not be iterated: ";
  else
    what += " failed " + std::to_string(attempts) + (attempts == 1 ? " attempt: " : " attempts: ");
  return what + original;
}

}  // namespace

batch_error::batch_error(std::string state_json, std::string original_message,
                         std::uint32_t attempts)
    : error(errc::batch_failed, describe_failure(state_json, original_message, attempts)),
      state_json_(std::move(state_json)),
      original_(std::move(original_message)),
      attempts_(attempts) {}

}  // namespace lockstep
