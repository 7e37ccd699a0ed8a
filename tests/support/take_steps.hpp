// Taking batches the way a training loop does, for the tests.
#pragma once

#include <atomic>
#include <type_traits>
#include <vector>

namespace lockstep::test {

/// Takes up to `n` steps from `b` (a batcher or a plain loop) starting at
/// `s`, threading the state, and stops at the end; counts them in `taken`
/// as it goes, when given.
template <class B, class State>
auto take_steps(B& b, State s, int n, std::atomic<int>* taken = nullptr) {
  std::vector<std::decay_t<decltype(*b.take(s))>> out;
  for (int i = 0; i < n; ++i) {
    auto next = b.take(s);
    if (!next)
      break;
    s = next->state;
    out.push_back(std::move(*next));
    if (taken)
      ++*taken;
  }
  return out;
}

}  // namespace lockstep::test
