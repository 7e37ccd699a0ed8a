// A bounded, closable FIFO between threads (for the head-of-line peer).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>

namespace lockstep::bench {

/// push waits while the queue holds `capacity` items, pop while it is empty;
/// close() drops what is left, and from then on both return at once (false /
/// nullopt), which is how the peer shuts down mid-run.
template <class T>
class blocking_queue {
 public:
  explicit blocking_queue(std::size_t capacity = std::numeric_limits<std::size_t>::max())
      : capacity_(capacity) {}

  bool push(T x) {
    std::unique_lock<std::mutex> lock{mtx_};
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_)
      return false;
    items_.push_back(std::move(x));
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock{mtx_};
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (closed_)
      return std::nullopt;
    auto x = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return x;
  }

  void close() {
    std::deque<T> dropped;
    {
      std::lock_guard<std::mutex> lock{mtx_};
      closed_ = true;
      dropped.swap(items_);
    }
    not_full_.notify_all();
    not_empty_.notify_all();
    // Destroyed here, outside the lock: a dropped task breaks its promise, so
    // whoever waits on its future wakes up instead of waiting forever.
  }

 private:
  std::mutex mtx_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace lockstep::bench
