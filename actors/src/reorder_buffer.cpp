#include "lockstep/detail/reorder_buffer.hpp"

namespace lockstep::detail {

void reorder_buffer::reset() {
  next_ = 0;
  slots_.clear();
  held_ = 0;
  finished_ = false;
}

bool reorder_buffer::put(delivery d) {
  if (finished_ || d.seq < next_)
    return false;
  auto i = static_cast<std::size_t>(d.seq - next_);
  if (i >= slots_.size())
    slots_.resize(i + 1);
  if (slots_[i])
    return false;
  slots_[i] = std::move(d);
  ++held_;
  return true;
}

void reorder_buffer::release(std::vector<delivery>& out) {
  while (!finished_ && !slots_.empty() && slots_.front()) {
    out.push_back(std::move(*slots_.front()));
    slots_.pop_front();
    --held_;
    ++next_;
    if (out.back().what != delivery::kind::batch)
      finish();
  }
}

void reorder_buffer::fail_now(delivery failure, std::vector<delivery>& out) {
  release(out);
  if (finished_)
    return;
  failure.seq = next_;
  out.push_back(std::move(failure));
  finish();
}

void reorder_buffer::finish() {
  finished_ = true;
  slots_.clear();
  held_ = 0;
}

}  // namespace lockstep::detail
