// The grid source: every combination exactly once per run, in order or in a
// seeded shuffle, lazily, resumable from a small state.
#include "lockstep/sources/grid.hpp"

#include <map>
#include <set>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/checkpoint.hpp"

namespace lockstep {
namespace {

std::vector<grid_output> all_of(const grid& g) {
  std::vector<grid_output> out;
  auto s = grid_state{};
  while (auto step = g.iterate(s)) {
    out.push_back(g.materialize(step->first));
    s = step->second;
  }
  return out;
}

grid_params params(std::vector<std::uint64_t> axes, std::uint64_t runs = 1,
                   std::optional<std::uint64_t> shuffle = std::nullopt) {
  return {std::move(axes), runs, shuffle};
}

TEST(grid, in_order_is_the_product_with_the_last_axis_fastest_once_per_run) {
  auto out = all_of(grid{params({2, 3}, 2)});
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(out[0].at, (std::vector<std::uint64_t>{0, 0}));
  EXPECT_EQ(out[1].at, (std::vector<std::uint64_t>{0, 1}));
  EXPECT_EQ(out[3].at, (std::vector<std::uint64_t>{1, 0}));
  EXPECT_EQ(out[5].at, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(out[5].run, 0u);
  EXPECT_EQ(out[6].at, (std::vector<std::uint64_t>{0, 0}));
  EXPECT_EQ(out[6].run, 1u);
  for (std::uint64_t i = 0; i < out.size(); ++i)
    EXPECT_EQ(out[i].index, i);
}

// Exhaustive on small grids: shuffled, every (combination, run) comes out
// exactly once, and the order is not the plain one.
TEST(grid, shuffled_is_a_permutation_of_the_plain_order) {
  for (auto axes : std::vector<std::vector<std::uint64_t>>{{1}, {7}, {2, 3}, {3, 5, 7}, {4, 4, 4, 4}})
    for (std::uint64_t runs : {1u, 2u, 3u})
      for (std::uint64_t seed : {0u, 9u}) {
        auto plain = all_of(grid{params(axes, runs)});
        auto mixed = all_of(grid{params(axes, runs, seed)});
        ASSERT_EQ(mixed.size(), plain.size());
        std::set<std::pair<std::vector<std::uint64_t>, std::uint64_t>> seen;
        for (auto& o : mixed)
          EXPECT_TRUE(seen.insert({o.at, o.run}).second) << "a combination twice";
        EXPECT_EQ(seen.size(), plain.size());
        bool differs = false;
        for (std::size_t i = 0; i < plain.size(); ++i)
          differs = differs || plain[i].at != mixed[i].at || plain[i].run != mixed[i].run;
        if (plain.size() > 4) {
          EXPECT_TRUE(differs);
        }
      }
}

// 10^12 combinations: nothing is built, a state near the end is a step away.
TEST(grid, a_huge_grid_starts_and_resumes_in_constant_time) {
  grid g{params({1'000'000, 1'000'000}, 1, 3)};
  EXPECT_EQ(g.length(), 1'000'000'000'000ull);
  auto first = g.iterate(grid_state{});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->second.index, 1u);
  auto last = g.iterate(grid_state{g.length() - 1});
  ASSERT_TRUE(last);
  EXPECT_FALSE(g.iterate(last->second));
  auto text = checkpoint_text(g, last->first.index == 0 ? grid_state{} : grid_state{123}, 123);
  EXPECT_EQ(parse_checkpoint(g, text, "test").state, grid_state{123});
}

TEST(grid, its_parameters_round_trip_and_shape_the_fingerprint) {
  grid g{params({10, 20, 30}, 2, 5)};
  auto back = grid::from_params(boost::json::parse(g.params()));
  EXPECT_EQ(back.fingerprint(), g.fingerprint());
  EXPECT_EQ(all_of(grid{params({3, 4}, 2, 5)}),
            all_of(grid::from_params(boost::json::parse(grid{params({3, 4}, 2, 5)}.params()))));
  EXPECT_NE(grid{params({10, 20, 30}, 2, 6)}.fingerprint(), g.fingerprint());
  EXPECT_NE(grid{params({10, 20, 30}, 1, 5)}.fingerprint(), g.fingerprint());
  EXPECT_NE(grid{params({10, 20, 31}, 2, 5)}.fingerprint(), g.fingerprint());
  // A checkpoint of one grid does not resume another.
  auto text = checkpoint_text(g, grid_state{4}, 4);
  EXPECT_THROW(parse_checkpoint(grid{params({10, 20, 31}, 2, 5)}, text, "test"), error);
}

TEST(grid, bad_parameters_are_refused_naming_them) {
  auto refused = [](grid_params p, const std::string& names) {
    try {
      grid g{p};
      ADD_FAILURE() << "accepted, expected a refusal naming " << names;
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      EXPECT_NE(std::string{e.what()}.find(names), std::string::npos) << e.what();
    }
  };
  refused(params({}), "axes");
  refused(params({3, 0}), "axis 1");
  refused(params({3}, 0), "runs");
  refused(params({1ull << 31, 1ull << 31, 2}), "2^62");
  EXPECT_THROW(grid::from_params(boost::json::parse(R"({"axes": [2], "colour": 1})")), error);
  EXPECT_THROW(grid::from_params(boost::json::parse(R"({"axes": "2"})")), error);
}

}  // namespace
}  // namespace lockstep
