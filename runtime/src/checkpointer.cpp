#include "lockstep/runtime/checkpointer.hpp"

#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

debouncer::debouncer(std::chrono::nanoseconds every, std::function<void()> capture,
                     std::function<void()> write)
    : every_(every), capture_(std::move(capture)), write_(std::move(write)) {
  if (every_.count() <= 0)
    throw error(errc::invalid_config, "a checkpoint interval must be positive");
  thread_ = std::thread{[this] { run(); }};
}

debouncer::~debouncer() {
  try {
    stop();
  } catch (...) {
  }
}

void debouncer::write_one(std::unique_lock<std::mutex>& guard) {
  capture_();
  dirty_ = false;
  guard.unlock();
  try {
    write_();
    writes_.fetch_add(1, std::memory_order_relaxed);
    guard.lock();
  } catch (const std::exception& e) {
    guard.lock();
    if (!failed_.load()) {
      failure_ = e.what();
      failed_.store(true);
    }
  }
}

void debouncer::run() {
  std::unique_lock<std::mutex> guard{mtx_};
  while (true) {
    cv_.wait(guard, [&] { return dirty_ || stopping_; });
    if (dirty_ && !failed_)
      write_one(guard);
    if (stopping_)
      break;  // stop() writes what came after this
    // The interval: offers store but do not wake; at its end the latest goes
    // out (the trailing edge), or, if none came, the next offer writes at once.
    cv_.wait_for(guard, every_, [&] { return stopping_; });
    if (!dirty_)
      blocked_ = false;
  }
}

void debouncer::stop() {
  std::unique_lock<std::mutex> guard{mtx_};
  if (!stopped_) {
    stopped_ = true;
    stopping_ = true;
    guard.unlock();
    cv_.notify_one();
    thread_.join();
    guard.lock();
    if (dirty_ && !failed_)
      write_one(guard);
  }
  if (failed_) {
    guard.unlock();
    throw_failure();
  }
}

void debouncer::throw_failure() const {  // mtx_ not held
  std::lock_guard<std::mutex> guard{mtx_};
  throw error(errc::io_error, "checkpoint not saved: " + failure_);
}

}  // namespace lockstep::detail
