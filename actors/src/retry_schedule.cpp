#include "lockstep/detail/retry_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace lockstep::detail {

std::chrono::nanoseconds retry_delay(const retry_policy& p, std::uint32_t retry, double unit) {
  using ns = std::chrono::nanoseconds;
  auto cap = static_cast<double>(p.max_delay.count());
  auto base = static_cast<double>(p.first_delay.count())
              * std::pow(p.factor, static_cast<double>(retry > 0 ? retry - 1 : 0));
  base = std::min(base, cap);
  auto scaled = base * (1.0 + p.jitter * (2.0 * unit - 1.0));
  return ns{static_cast<ns::rep>(std::clamp(scaled, 0.0, cap))};
}

}  // namespace lockstep::detail
