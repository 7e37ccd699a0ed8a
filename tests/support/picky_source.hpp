// A source for tests of failures: batch k is k × 10, except that batch 1
// fails for good (lockstep::permanent_error) and batch 2 for now.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/fwd.hpp>

#include "lockstep/messages/errors.hpp"

namespace lockstep::test {

struct picky_source {
  using state_type = std::uint64_t;
  using batch_type = std::uint64_t;
  using output_type = std::uint64_t;
  static constexpr std::string_view name = "picky";

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    return std::make_pair(s, s + 1);
  }
  output_type materialize(const batch_type& b) const {
    if (b == 1)
      throw permanent_error("cannot parse record 1");
    if (b == 2)
      throw std::runtime_error("try again");
    return b * 10;
  }
  std::string params() const { return "{}"; }
  static picky_source from_params(const boost::json::value&) { return {}; }
};

}  // namespace lockstep::test
