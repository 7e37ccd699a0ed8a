#include "lockstep/detail/reorder_buffer.hpp"

namespace lockstep::detail {

void reorder_buffer::reset(bool in_order) {
  in_order_ = in_order;
  done_.clear();
  ready_.clear();
  end_.reset();
  next_ = 0;
  slots_.clear();
  held_ = 0;
  finished_ = false;
}

bool reorder_buffer::put(delivery d) {
  if (finished_ || d.seq < next_)
    return false;
  if (!in_order_)
    return put_unordered(std::move(d));
  auto i = static_cast<std::size_t>(d.seq - next_);
  if (i >= slots_.size())
    slots_.resize(i + 1);
  if (slots_[i])
    return false;
  slots_[i] = std::move(d);
  ++held_;
  return true;
}

bool reorder_buffer::put_unordered(delivery d) {
  auto at = static_cast<std::size_t>(d.seq - next_);
  if (d.what == delivery::kind::end) {
    if (end_)
      return false;
    end_ = std::move(d);
  } else {
    if (at >= done_.size())
      done_.resize(at + 1, false);
    if (done_[at])
      return false;
    done_[at] = true;
    ready_.push_back(std::move(d));
    while (!done_.empty() && done_.front()) {
      done_.pop_front();
      ++next_;
    }
  }
  if (end_ && end_->seq == next_) {
    ready_.push_back(std::move(*end_));
    end_.reset();
  }
  return true;
}

void reorder_buffer::release(std::vector<delivery>& out) {
  if (!in_order_) {
    for (auto& d : ready_) {
      bool end = d.what == delivery::kind::end;
      out.push_back(std::move(d));
      if (end) {
        ready_.clear();
        finish();
        return;
      }
    }
    ready_.clear();
    return;
  }
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
  done_.clear();
  ready_.clear();
  end_.reset();
  slots_.clear();
  held_ = 0;
}

}  // namespace lockstep::detail
