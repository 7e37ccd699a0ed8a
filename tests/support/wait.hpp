// Waiting on a condition with a generous deadline (never a fixed sleep).
#pragma once

#include <chrono>
#include <thread>

namespace lockstep::test {

/// Polls `pred` until it holds or `deadline` passes; returns its last value.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds deadline = std::chrono::seconds{30}) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end)
      return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

}  // namespace lockstep::test
