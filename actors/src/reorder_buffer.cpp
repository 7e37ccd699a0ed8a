#include "lockstep/detail/reorder_buffer.hpp"

namespace lockstep::detail {

void reorder_buffer::reset() {
  next_ = 0;
  held_.clear();
  finished_ = false;
}

bool reorder_buffer::put(delivery d) {
  if (finished_ || d.seq < next_)
    return false;
  return held_.emplace(d.seq, std::move(d)).second;
}

void reorder_buffer::release(std::vector<delivery>& out) {
  while (!finished_) {
    auto i = held_.find(next_);
    if (i == held_.end())
      return;
    auto kind = i->second.what;
    out.push_back(std::move(i->second));
    held_.erase(i);
    ++next_;
    if (kind != delivery::kind::batch) {
      finished_ = true;
      held_.clear();
    }
  }
}

void reorder_buffer::fail_now(delivery failure, std::vector<delivery>& out) {
  release(out);
  if (finished_)
    return;
  failure.seq = next_;
  out.push_back(std::move(failure));
  finished_ = true;
  held_.clear();
}

}  // namespace lockstep::detail
