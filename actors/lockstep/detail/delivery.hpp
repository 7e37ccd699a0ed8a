// What the collector hands the client: a batch, the end, or a failure.
#pragma once

#include <cstdint>
#include <string>

#include "lockstep/detail/box.hpp"
#include "lockstep/messages/errc.hpp"

namespace lockstep::detail {

struct delivery {
  enum class kind { batch, end, failure };

  kind what = kind::batch;
  std::uint64_t seq = 0;
  box output;                      // batch only
  const_box state_after;           // batch only
  errc code = errc::batch_failed;  // failure only
  std::string error;               // failure only
  std::uint32_t attempts = 0;      // failure only

  static delivery batch(std::uint64_t seq, box output, const_box state_after) {
    return {kind::batch, seq, std::move(output), std::move(state_after), {}, {}, 0};
  }
  static delivery end(std::uint64_t seq) { return {kind::end, seq, {}, {}, {}, {}, 0}; }
  static delivery failure(std::uint64_t seq, errc code, std::string error, std::uint32_t attempts) {
    return {kind::failure, seq, {}, {}, code, std::move(error), attempts};
  }
};

}  // namespace lockstep::detail
