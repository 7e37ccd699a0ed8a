// A project outside lockstep's tree, built against an installed copy.
#include <lockstep/runtime/batcher.hpp>
#include <lockstep/runtime/plain_loop.hpp>
#include <lockstep/sources/synthetic.hpp>

int main() {
  lockstep::synthetic_params params;
  params.length = 20;
  lockstep::config cfg;
  cfg.workers = 2;
  lockstep::batcher batches{lockstep::synthetic{params}, cfg};
  lockstep::plain_loop reference{lockstep::synthetic{params}};
  auto state = lockstep::synthetic_state::seeded(1);
  int n = 0;
  while (auto next = batches.take(state)) {
    if (next->first != reference.take(state)->first)
      return 1;
    state = next->second;
    ++n;
  }
  return n == 20 ? 0 : 1;
}
