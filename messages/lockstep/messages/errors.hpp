// The exceptions lockstep throws: each carries an errc and a message that
// names what was wrong. API.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "lockstep/messages/errc.hpp"

namespace lockstep {

class error : public std::runtime_error {
 public:
  error(errc code, const std::string& message);
  errc code() const noexcept { return code_; }

 private:
  errc code_;
};

/// Thrown by take(state) when the batch that follows `state` failed every
/// attempt. Every batch before it was delivered.
class batch_error : public error {
 public:
  batch_error(std::string state_json, std::string original_message, std::uint32_t attempts);

  /// The state whose batch failed, as JSON.
  const std::string& state_json() const noexcept { return state_json_; }
  /// What the last attempt threw.
  const std::string& original_message() const noexcept { return original_; }
  /// Attempts made: 0 when iterate failed, 1 when materialize failed permanently.
  std::uint32_t attempts() const noexcept { return attempts_; }

 private:
  std::string state_json_;
  std::string original_;
  std::uint32_t attempts_;
};

/// Throw this from materialize for a failure that no retry can mend (a
/// record that does not parse, say): the batch fails at once instead of
/// after the retry schedule, and take() throws batch_error with its message.
class permanent_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lockstep
