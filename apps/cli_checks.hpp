// Checks of command-line values the commands share.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <string>

#include <CLI/Validators.hpp>

namespace lockstep::cli {

/// A whole number in [0, 2^64 - 1], written in decimal digits only: no
/// sign, no spaces, no exponent. CLI11 would read "-1" as 2^64 - 1 (strtoull
/// negates) and saturate larger values, so two different seeds would silently
/// be the same. The option's own type may narrow the range further.
inline const CLI::Validator unsigned_integer{
  [](std::string& text) -> std::string {
    if (!text.empty() && text.front() == '-')
      return "must not be negative, got " + text;
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
      return "must be a whole number >= 0 (decimal digits only), got " + text;
    errno = 0;
    (void)std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE)
      return "must be at most 18446744073709551615 (2^64 - 1), got " + text;
    return {};
  },
  "UINT"};

}  // namespace lockstep::cli
