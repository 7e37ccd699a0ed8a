// A project outside lockstep's tree, built against an installed copy.
#include <lockstep/lockstep.hpp>
#include <lockstep/sources/synthetic.hpp>

int main() {
  lockstep::synthetic_params params;
  params.length = 20;
  lockstep::batcher batches{lockstep::synthetic{params}, {.workers = 2}};
  lockstep::plain_loop reference{lockstep::synthetic{params}};
  auto state = lockstep::synthetic_state::seeded(1);
  int n = 0;
  while (auto next = batches.take(state)) {
    if (next->output != reference.take(state)->output)
      return 1;
    state = next->state;
    ++n;
  }
  return n == 20 ? 0 : 1;
}
