// Exit statuses of the lockstep command, and small helpers its commands share.
#pragma once

#include <chrono>
#include <cmath>
#include <string>

#include "lockstep/messages/errors.hpp"

namespace lockstep::cli {

enum exit_status : int {
  exit_ok = 0,
  exit_failed = 1,  ///< a failure while running (a batch failed every attempt)
  exit_usage = 2,   ///< bad usage or bad input; nothing was written
  exit_interrupted = 130,
};

/// Seconds (fractions allowed) from a command line option, as milliseconds;
/// throws lockstep::error naming `option` unless positive and finite.
inline std::chrono::milliseconds seconds_to_ms(double seconds, const std::string& option) {
  if (!(seconds > 0 && seconds < 1e9))
    throw error(errc::invalid_config, option + " must be a positive number of seconds");
  return std::chrono::milliseconds{static_cast<long long>(std::llround(seconds * 1000))};
}

/// "30" for 30000 ms: a default in seconds, for --help.
inline std::string ms_as_seconds(std::chrono::milliseconds ms) {
  auto s = std::to_string(static_cast<double>(ms.count()) / 1000.0);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.')
    s.pop_back();
  return s;
}

}  // namespace lockstep::cli
