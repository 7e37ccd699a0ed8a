#include "lockstep/actors/client_queue.hpp"

namespace lockstep {

std::uint64_t client_queue::open() {
  std::lock_guard<std::mutex> guard{mtx_};
  auto epoch = live_epoch_.load() + 1;
  live_epoch_.store(epoch, std::memory_order_release);
  open_ = true;
  outstanding_ = 0;
  feeder_waiting_ = false;
  ready_.clear();
  status_ = {run_status::running, {}};
  return epoch;
}

void client_queue::close(run_status s, std::string error) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    // A closed run has no live epoch: workers skip its queued jobs.
    live_epoch_.store(live_epoch_.load() + 1, std::memory_order_release);
    open_ = false;
    ready_.clear();
    outstanding_ = 0;
    feeder_waiting_ = false;
    status_ = {s, std::move(error)};
  }
  cv_.notify_all();
}

std::optional<delivery> client_queue::pop(std::uint64_t epoch, bool& wake_feeder) {
  wake_feeder = false;
  std::unique_lock<std::mutex> guard{mtx_};
  cv_.wait(guard, [&] {
    return !open_ || live_epoch_.load() != epoch || !ready_.empty();
  });
  if (!open_ || live_epoch_.load() != epoch)
    return std::nullopt;
  return take_front(wake_feeder);
}

std::optional<delivery> client_queue::try_pop(std::uint64_t epoch, bool& wake_feeder) {
  wake_feeder = false;
  std::lock_guard<std::mutex> guard{mtx_};
  if (!open_ || live_epoch_.load() != epoch || ready_.empty())
    return std::nullopt;
  return take_front(wake_feeder);
}

delivery client_queue::take_front(bool& wake_feeder) {
  auto d = std::move(ready_.front());
  ready_.pop_front();
  if (d.what == delivery::kind::batch) {
    ++stats_.delivered;
    if (outstanding_ > 0)
      --outstanding_;
    if (feeder_waiting_ && outstanding_ < window_) {
      feeder_waiting_ = false;
      wake_feeder = true;
    }
  }
  return d;
}

bool client_queue::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (status_.status == run_status::stopped || status_.status == run_status::closed)
      return false;
  }
  close(run_status::closed);
  return true;
}

void client_queue::wake_feeder(std::uint64_t epoch) const {
  std::function<void(std::uint64_t)> f;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    f = waker_;
  }
  if (f)
    f(epoch);
}

void client_queue::set_feeder_waker(std::function<void(std::uint64_t)> f) {
  std::lock_guard<std::mutex> guard{mtx_};
  waker_ = std::move(f);
}

void client_queue::set_status(run_status s, std::string error) {
  std::lock_guard<std::mutex> guard{mtx_};
  status_ = {s, std::move(error)};
}

status_report client_queue::status() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return status_;
}

run_stats client_queue::stats() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return stats_;
}

void client_queue::count_restart() {
  std::lock_guard<std::mutex> guard{mtx_};
  ++stats_.restarts;
}

bool client_queue::try_acquire(std::uint64_t epoch) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (!open_ || live_epoch_.load() != epoch)
    return false;
  if (outstanding_ >= window_) {
    feeder_waiting_ = true;
    return false;
  }
  ++outstanding_;
  return true;
}

void client_queue::count_retry() {
  std::lock_guard<std::mutex> guard{mtx_};
  ++stats_.retries;
}

void client_queue::count_worker_lost() {
  std::lock_guard<std::mutex> guard{mtx_};
  ++stats_.workers_lost;
}

void client_queue::push(std::uint64_t epoch, delivery d) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!open_ || live_epoch_.load() != epoch)
      return;
    ready_.push_back(std::move(d));
  }
  cv_.notify_one();
}

bool client_queue::set_pool(std::size_t workers, std::size_t buffer) {
  std::lock_guard<std::mutex> guard{mtx_};
  pool_ = workers;
  window_ = buffer + workers;
  if (feeder_waiting_ && outstanding_ < window_) {
    feeder_waiting_ = false;
    return true;
  }
  return false;
}

std::size_t client_queue::pool_size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return pool_;
}

std::size_t client_queue::ready() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return ready_.size();
}

}  // namespace lockstep
