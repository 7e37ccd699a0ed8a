// Ranks: disjoint shares of one global stream, resumable at any world size.
#include "lockstep/runtime/rank_share.hpp"

#include <filesystem>
#include <map>
#include <set>

#include <unistd.h>

#include <gtest/gtest.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "lockstep/sources/synthetic.hpp"

namespace lockstep {
namespace {

namespace fs = std::filesystem;

synthetic finite(std::uint64_t length) {
  synthetic_params p;
  p.item_bytes = 16;
  p.length = length;
  return synthetic{p};
}

// The global stream: every output of a run without ranks.
std::vector<synthetic_output> global_stream(const synthetic& src, synthetic_state s) {
  plain_loop<synthetic> loop{src};
  std::vector<synthetic_output> out;
  while (auto next = loop.take(s)) {
    out.push_back(next->output);
    s = next->state;
  }
  return out;
}

struct share_run {
  std::vector<std::optional<synthetic_output>> outputs;  // one per step
  std::vector<synthetic_state> states;                   // after each step
};

share_run run_share(const synthetic& src, rank_spec spec, synthetic_state s,
                    std::size_t max_steps = SIZE_MAX) {
  plain_loop<rank_share<synthetic>> loop{rank_share<synthetic>{src, spec}};
  share_run r;
  while (r.outputs.size() < max_steps) {
    auto next = loop.take(s);
    if (!next)
      break;
    r.outputs.push_back(next->output);
    s = next->state;
    r.states.push_back(s);
  }
  return r;
}

TEST(rank_share, interleaved_shares_are_disjoint_and_their_union_is_the_global_stream) {
  auto src = finite(23);
  auto whole = global_stream(src, synthetic_state::seeded(7));
  ASSERT_EQ(whole.size(), 23u);
  for (std::size_t world = 1; world <= 4; ++world) {
    SCOPED_TRACE("world_size " + std::to_string(world));
    std::map<std::uint64_t, synthetic_output> seen;
    std::vector<share_run> runs;
    for (std::size_t rank = 0; rank < world; ++rank) {
      runs.push_back(run_share(src, {rank, world, shard_mode::interleave},
                               synthetic_state::seeded(7)));
      auto& run = runs.back();
      // Every rank takes the same number of steps: the tail is masked.
      EXPECT_EQ(run.outputs.size(), (23 + world - 1) / world);
      for (std::size_t step = 0; step < run.outputs.size(); ++step) {
        auto global = step * world + rank;
        auto& out = run.outputs[step];
        EXPECT_EQ(out.has_value(), global < 23) << "step " << step;
        if (!out)
          continue;
        EXPECT_EQ(*out, whole[global]);
        EXPECT_TRUE(seen.emplace(out->index, *out).second) << "batch " << out->index << " twice";
      }
    }
    EXPECT_EQ(seen.size(), whole.size());
    // After every step, every rank holds the same global state.
    for (std::size_t rank = 1; rank < world; ++rank)
      EXPECT_EQ(runs[rank].states, runs[0].states);
  }
}

TEST(rank_share, the_state_after_a_step_is_the_global_state_after_its_batches) {
  auto src = finite(100);
  auto run = run_share(src, {1, 3, shard_mode::interleave}, synthetic_state::seeded(2), 4);
  ASSERT_EQ(run.states.size(), 4u);
  for (std::size_t step = 0; step < 4; ++step)
    EXPECT_EQ(run.states[step].index, 3 * (step + 1));
  EXPECT_EQ(rank_share<synthetic>::index_of(run.states.back()), 12u);
}

TEST(rank_share, a_checkpoint_taken_at_two_ranks_resumes_at_three_continuing_the_stream) {
  auto dir = fs::temp_directory_path() / ("lockstep-ranks-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto file = (dir / "state.json").string();
  auto src = finite(40);
  auto whole = global_stream(src, synthetic_state::seeded(5));
  // Rank 0 of 2 saves after 5 steps: 10 global batches are behind it.
  rank_share<synthetic> rank0{src, {0, 2, shard_mode::interleave}};
  auto before = run_share(src, {0, 2, shard_mode::interleave}, synthetic_state::seeded(5), 5);
  auto at = before.states.back();
  save_checkpoint(file, rank0, at, rank_share<synthetic>::index_of(at));
  std::map<std::uint64_t, synthetic_output> after;
  for (std::size_t rank = 0; rank < 3; ++rank) {
    rank_share<synthetic> share{src, {rank, 3, shard_mode::interleave}};
    auto saved = load_checkpoint(file, share);
    EXPECT_EQ(saved.index, 10u);
    auto run = run_share(src, {rank, 3, shard_mode::interleave}, saved.state);
    EXPECT_EQ(run.outputs.size(), 10u);  // 30 batches left, 10 steps of 3
    for (std::size_t step = 0; step < run.outputs.size(); ++step) {
      ASSERT_TRUE(run.outputs[step]);
      EXPECT_EQ(*run.outputs[step], whole[10 + step * 3 + rank]);
      after.emplace(run.outputs[step]->index, *run.outputs[step]);
    }
  }
  EXPECT_EQ(after.size(), 30u);
  // A run without ranks resumes the same file too: one state, one stream,
  // saved alike with ranks and without.
  EXPECT_EQ(checkpoint_text(rank0, at, 10), checkpoint_text(src, at, 10));
  auto plain = load_checkpoint(file, src);
  EXPECT_EQ(global_stream(src, plain.state).front(), whole[10]);
  fs::remove_all(dir);
}

TEST(rank_share, the_batcher_delivers_a_share_as_the_plain_loop_does) {
  auto src = finite(31);
  config cfg;
  cfg.workers = 3;
  batcher<rank_share<synthetic>> b{rank_share<synthetic>{src, {3, 4, shard_mode::interleave}},
                                   cfg};
  auto expected = run_share(src, {3, 4, shard_mode::interleave}, synthetic_state::seeded(9));
  auto s = synthetic_state::seeded(9);
  std::vector<std::optional<synthetic_output>> got;
  while (auto next = b.take(s)) {
    got.push_back(next->output);
    s = next->state;
  }
  EXPECT_EQ(got, expected.outputs);
  // 31 batches: rank 3's last step (global batch 31) is past the end.
  EXPECT_FALSE(got.back().has_value());
}

// A finite source whose batch is a list of items, so it can be split.
struct item_lists {
  using state_type = std::int64_t;
  using batch_type = std::vector<std::int64_t>;
  using output_type = std::vector<std::int64_t>;
  static constexpr std::string_view name = "item_lists";
  static constexpr std::uint32_t state_version = 4;
  std::size_t items = 10;
  std::int64_t batches = 5;

  std::optional<std::pair<batch_type, state_type>> iterate(const state_type& s) const {
    if (s >= batches)
      return std::nullopt;
    batch_type b;
    for (std::size_t i = 0; i < items; ++i)
      b.push_back(s * 100 + static_cast<std::int64_t>(i));
    return std::pair{b, s + 1};
  }
  output_type materialize(const batch_type& b) const { return b; }
  batch_type part_of(const batch_type& b, std::size_t part, std::size_t parts) const {
    auto [first, last] = part_range(b.size(), part, parts);
    return {b.begin() + static_cast<std::ptrdiff_t>(first),
            b.begin() + static_cast<std::ptrdiff_t>(last)};
  }
};

TEST(rank_share, split_parts_are_contiguous_and_make_up_every_global_batch) {
  item_lists src;
  for (std::size_t world = 1; world <= 4; ++world) {
    SCOPED_TRACE("world_size " + std::to_string(world));
    std::vector<std::vector<std::vector<std::int64_t>>> per_rank;
    for (std::size_t rank = 0; rank < world; ++rank) {
      plain_loop<rank_share<item_lists>> loop{
        rank_share<item_lists>{src, {rank, world, shard_mode::split}}};
      std::vector<std::vector<std::int64_t>> parts;
      std::int64_t s = 0;
      while (auto next = loop.take(s)) {
        ASSERT_TRUE(next->output);
        parts.push_back(*next->output);
        s = next->state;
      }
      EXPECT_EQ(parts.size(), 5u);  // the same steps on every rank
      per_rank.push_back(parts);
    }
    for (std::int64_t g = 0; g < 5; ++g) {
      std::vector<std::int64_t> joined;
      for (auto& parts : per_rank) {
        auto& p = parts[static_cast<std::size_t>(g)];
        EXPECT_LE(p.size(), (10 + world - 1) / world);
        EXPECT_GE(p.size(), 10 / world);
        joined.insert(joined.end(), p.begin(), p.end());
      }
      EXPECT_EQ(joined, src.iterate(g)->first);
    }
  }
}

TEST(rank_share, a_share_saves_its_state_as_the_inner_source_does) {
  item_lists src;
  rank_share<item_lists> share{src, {1, 2, shard_mode::split}};
  EXPECT_EQ(checkpoint_text(share, std::int64_t{3}, 3), checkpoint_text(src, std::int64_t{3}, 3));
  EXPECT_EQ(parse_checkpoint(src, checkpoint_text(share, std::int64_t{3}, 3), "share").state, 3);
}

TEST(rank_share, part_range_gives_the_first_parts_the_remainder) {
  EXPECT_EQ(part_range(10, 0, 3), (std::pair<std::size_t, std::size_t>{0, 4}));
  EXPECT_EQ(part_range(10, 1, 3), (std::pair<std::size_t, std::size_t>{4, 7}));
  EXPECT_EQ(part_range(10, 2, 3), (std::pair<std::size_t, std::size_t>{7, 10}));
  EXPECT_EQ(part_range(2, 3, 4), (std::pair<std::size_t, std::size_t>{2, 2}));  // empty
}

TEST(rank_share, bad_specs_are_refused_naming_what_is_wrong) {
  auto refused = [](auto make) {
    try {
      make();
      return std::string{};
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      return std::string{e.what()};
    }
  };
  EXPECT_NE(refused([] { rank_share<synthetic>{finite(3), {2, 2, shard_mode::interleave}}; })
              .find("rank 2 is not below world_size 2"),
            std::string::npos);
  EXPECT_NE(refused([] { rank_share<synthetic>{finite(3), {0, 0, shard_mode::interleave}}; })
              .find("world_size"),
            std::string::npos);
  EXPECT_NE(refused([] { rank_share<synthetic>{finite(3), {0, 2, shard_mode::split}}; })
              .find("cannot be split"),
            std::string::npos);
  EXPECT_NE(refused([] { parse_shard_mode("stripes"); }).find("stripes"), std::string::npos);
  EXPECT_NE(refused([] {
              rank_share<synthetic>{finite(3), {0, std::size_t{1} << 40, shard_mode::interleave}};
            }).find("above the supported"),
            std::string::npos);
  EXPECT_NE(refused([] { part_range(10, 0, 0); }).find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace lockstep
