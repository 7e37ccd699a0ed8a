// quickstart: the program on the README's first screen. A source of your own
// (cheap iterate, expensive materialize) runs on 4 worker threads and comes
// back in order; the state it threads through take() is a checkpoint.
// Run: build/dev/examples/quickstart
#include <cstdio>
#include <lockstep/lockstep.hpp>

// Batch k is the squares of 8k .. 8k+7. iterate only says which batch comes
// next; materialize computes it, on any worker thread, deterministically.
struct squares {
  using state_type = std::uint64_t;  // where the stream stands
  using batch_type = std::uint64_t;  // which batch to compute
  using output_type = std::vector<std::uint64_t>;
  static constexpr std::string_view name = "squares";

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& next) const {
    if (next == 1000)
      return std::nullopt;  // a finite source: take() returns nothing from here
    return std::make_pair(next, next + 1);
  }
  output_type materialize(const batch_type& k) const {
    output_type out;
    for (std::uint64_t x = 8 * k; x < 8 * k + 8; ++x)
      out.push_back(x * x);
    return out;
  }
};

int main() {
  lockstep::batcher batches{squares{}, {.workers = 4}};
  std::uint64_t state = 0, checksum = 0;
  while (auto next = batches.take(state)) {  // always the batch after `state`
    checksum = checksum * 31 + next->output.back();
    state = next->state;
    if (state % 100 == 0)  // saving the state is a complete checkpoint
      lockstep::save_checkpoint("state.json", batches.source(), state);
  }
  std::printf("%llu batches in order, checksum %llu\n", static_cast<unsigned long long>(state),
              static_cast<unsigned long long>(checksum));
}
