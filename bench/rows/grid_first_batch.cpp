#include "grid_first_batch.hpp"

#include <fmt/format.h>

#include "first_batch.hpp"
#include "lockstep/sources/grid.hpp"

namespace lockstep::bench {

namespace {

double grid_first_ms(std::vector<std::uint64_t> axes) {
  auto start = bench_clock::now();
  grid g{grid_params{std::move(axes), 1, 7}};
  auto setup = ms_since(start);
  return first_take_ms(std::move(g), grid_state{}, setup);
}

}  // namespace

row grid_first_batch_row(context& ctx) {
  row r;
  r.name = "grid_first_batch_ms";
  r.unit = "ms";
  r.higher_is_better = false;
  const int reps = ctx.opt.quick ? 15 : 40;
  std::fprintf(stderr, "  %s: 2 grids x %d fresh batchers\n", r.name.c_str(), reps);
  auto samples = interleaved({[] { return grid_first_ms({10, 10, 10}); },
                              [] { return grid_first_ms({10'000, 10'000, 10'000}); }},
                             reps);
  r.add("length_1e3", summarize(samples[0]));
  r.add("length_1e12", summarize(samples[1]));
  r.add_ratio_goal("length_1e12", "length_1e3", 1.5, false);
  r.setup = fmt::format("axes 10 x 10 x 10 against 10^4 x 10^4 x 10^4, shuffled (seed 7), W = 2; "
                        "{} fresh batchers per grid, timed from building the source to its "
                        "first batch (without the batcher's thread start-up)",
                        reps);
  return r;
}

}  // namespace lockstep::bench
