// The indexed source: epochs of a random-access dataset, shuffled per epoch.
#include "lockstep/sources/indexed.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/plain_loop.hpp"

namespace lockstep {
namespace {

// Item i is i * 10: a map-style dataset as a user writes one.
struct tens {
  std::uint64_t n = 10;
  std::uint64_t size() const { return n; }
  std::uint64_t get(std::uint64_t i) const { return i * 10; }
};

using source = indexed<tens>;

source make(indexed_params p, std::uint64_t n = 10) {
  return source{std::make_shared<tens>(tens{n}), p};
}

std::vector<std::vector<std::uint64_t>> ids_of_run(const source& src, indexed_state s,
                                                   std::size_t max_batches = 1000) {
  plain_loop<source> loop{src};
  std::vector<std::vector<std::uint64_t>> out;
  while (out.size() < max_batches) {
    auto next = loop.take(s);
    if (!next)
      break;
    for (std::size_t k = 0; k < next->output.ids.size(); ++k)
      EXPECT_EQ(next->output.items[k], next->output.ids[k] * 10);
    out.push_back(next->output.ids);
    s = next->state;
  }
  return out;
}

TEST(indexed, in_order_batches_never_span_two_epochs_and_the_passes_end) {
  auto src = make({.batch_size = 4, .shuffle = false, .epochs = 2});
  auto run = ids_of_run(src, indexed_state::seeded(1));
  using v = std::vector<std::uint64_t>;
  EXPECT_EQ(run, (std::vector<v>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9},
                                 {0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  auto dropped = ids_of_run(make({.batch_size = 4, .shuffle = false, .epochs = 2,
                                  .drop_last = true}),
                            indexed_state::seeded(1));
  EXPECT_EQ(dropped, (std::vector<v>{{0, 1, 2, 3}, {4, 5, 6, 7}, {0, 1, 2, 3}, {4, 5, 6, 7}}));
}

TEST(indexed, every_shuffled_epoch_is_a_permutation_of_its_own) {
  auto src = make({.batch_size = 3, .shuffle = true, .epochs = 3}, 100);
  auto run = ids_of_run(src, indexed_state::seeded(42));
  ASSERT_EQ(run.size(), 3u * 34u);
  std::vector<std::vector<std::uint64_t>> epochs(3);
  for (std::size_t b = 0; b < run.size(); ++b)
    epochs[b / 34].insert(epochs[b / 34].end(), run[b].begin(), run[b].end());
  std::vector<std::uint64_t> all(100);
  std::iota(all.begin(), all.end(), 0);
  for (auto& e : epochs) {
    auto sorted = e;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, all);  // every item once per epoch
    EXPECT_NE(e, all);       // and not in index order
  }
  EXPECT_NE(epochs[0], epochs[1]);
  EXPECT_NE(epochs[1], epochs[2]);
  EXPECT_EQ(ids_of_run(src, indexed_state::seeded(42)), run);  // the seed fixes the order
  EXPECT_NE(ids_of_run(src, indexed_state::seeded(43)), run);
}

TEST(indexed, a_saved_state_resumes_the_run_exactly) {
  auto src = make({.batch_size = 3, .epochs = 4}, 20);
  auto whole = ids_of_run(src, indexed_state::seeded(7));
  plain_loop<source> loop{src};
  auto s = indexed_state::seeded(7);
  for (int i = 0; i < 9; ++i)  // into the second epoch
    s = loop.take(s)->state;
  auto saved = parse_checkpoint(src, checkpoint_text(src, s, 9), "saved");
  EXPECT_EQ(saved.state, s);
  auto rest = ids_of_run(src, saved.state);
  EXPECT_EQ(rest, std::vector<std::vector<std::uint64_t>>(whole.begin() + 9, whole.end()));
  // Another batch size is another sequence: the checkpoint is refused.
  EXPECT_THROW(parse_checkpoint(make({.batch_size = 4, .epochs = 4}, 20),
                                checkpoint_text(src, s, 9), "saved"),
               error);
}

TEST(indexed, ranks_in_either_mode_cover_an_epoch_exactly_once) {
  auto src = make({.batch_size = 5, .epochs = 1}, 23);
  for (auto mode : {shard_mode::interleave, shard_mode::split})
    for (std::size_t world = 1; world <= 4; ++world) {
      std::multiset<std::uint64_t> seen;
      std::set<std::size_t> steps;
      for (std::size_t rank = 0; rank < world; ++rank) {
        plain_loop<rank_share<source>> loop{rank_share<source>{src, {rank, world, mode}}};
        auto s = indexed_state::seeded(3);
        std::size_t n = 0;
        while (auto next = loop.take(s)) {
          if (next->output)
            seen.insert(next->output->ids.begin(), next->output->ids.end());
          s = next->state;
          ++n;
        }
        steps.insert(n);
      }
      EXPECT_EQ(steps.size(), 1u) << "ranks took different step counts";
      EXPECT_EQ(seen.size(), 23u);
      EXPECT_EQ(std::set<std::uint64_t>(seen.begin(), seen.end()).size(), 23u);
    }
}

TEST(indexed, the_batcher_delivers_what_the_plain_loop_does) {
  auto src = make({.batch_size = 7, .epochs = 3}, 50);
  config cfg;
  cfg.workers = 3;
  batcher<source> b{src, cfg};
  auto s = indexed_state::seeded(11);
  std::vector<std::vector<std::uint64_t>> got;
  while (auto next = b.take(s)) {
    got.push_back(next->output.ids);
    s = next->state;
  }
  EXPECT_EQ(got, ids_of_run(src, indexed_state::seeded(11)));
}

TEST(indexed, bad_parameters_are_refused_naming_them) {
  auto refused = [](indexed_params p, std::uint64_t n) {
    try {
      make(p, n);
      return std::string{};
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      return std::string{e.what()};
    }
  };
  EXPECT_NE(refused({.batch_size = 0}, 10).find("batch_size"), std::string::npos);
  EXPECT_NE(refused({.batch_size = 1}, 0).find("empty"), std::string::npos);
  EXPECT_NE(refused({.batch_size = 1, .epochs = 0}, 10).find("epochs"), std::string::npos);
  EXPECT_NE(refused({.batch_size = 11, .drop_last = true}, 10).find("drop_last"),
            std::string::npos);
}

}  // namespace
}  // namespace lockstep
