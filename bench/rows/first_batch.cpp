#include "first_batch.hpp"

#include <fmt/format.h>


namespace lockstep::bench {

namespace {

double first_batch_ms(std::uint64_t length) {
  synthetic_params p;
  p.item_bytes = 64;
  p.length = length;
  return first_take_ms(synthetic{p}, synthetic_state::seeded(1));
}

}  // namespace

row first_batch_row(context& ctx) {
  row r;
  r.name = "first_batch_ms";
  r.unit = "ms";
  r.higher_is_better = false;
  const int reps = ctx.opt.quick ? 15 : 40;
  std::fprintf(stderr, "  %s: 2 lengths x %d fresh batchers\n", r.name.c_str(), reps);
  auto samples = interleaved({[] { return first_batch_ms(10); },
                              [] { return first_batch_ms(10'000'000); }},
                             reps);
  r.add("length_10", summarize(samples[0]));
  r.add("length_10000000", summarize(samples[1]));
  // Equal within noise: at most 1.5x. Iterating 10^7 batches eagerly would
  // take seconds, a ratio in the thousands.
  r.add_ratio_goal("length_10000000", "length_10", 1.5, false);
  r.setup = fmt::format("W = 2, latency 0, 64 B; {} fresh batchers per length, timed from the "
                        "first take() (which starts the run) to its batch",
                        reps);
  return r;
}

}  // namespace lockstep::bench
