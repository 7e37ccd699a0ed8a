#include "lockstep/signals/random_batches.hpp"

#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <edflib.h>
#include <gtest/gtest.h>

#include "lockstep/detail/fingerprint_diff.hpp"
#include "lockstep/runtime/batcher.hpp"
#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/runtime/digest.hpp"
#include "lockstep/messages/serialize.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/plain_loop.hpp"
#include "make_dataset.hpp"
#include "temp_dir.hpp"

namespace lockstep::signals {
namespace {

// Three recordings of 20 epochs, four 32 Hz channels; made once.
class random_batches_test : public ::testing::Test {
 protected:
  // The fixture's recipe; another seed gives the same names and sizes.
  static make_dataset_options recipe(std::uint64_t seed = 7) {
    make_dataset_options o;
    o.recordings = 3;
    o.minutes = 10;
    o.channels = 4;
    o.sample_rate = 32;
    o.seed = seed;
    return o;
  }
  static void SetUpTestSuite() {
    dir_ = new test::temp_dir;
    make_dataset(dir_->path(), recipe());
    data_ = dataset::open(dir_->path());
  }
  static void TearDownTestSuite() {
    data_.reset();
    delete dir_;
  }

  static random_batches make(random_batches_params p) { return random_batches{data_, std::move(p)}; }
  static random_batches_params params(std::uint32_t batch_size, double window,
                                      std::optional<std::uint32_t> n_channels) {
    random_batches_params p;
    p.batch_size = batch_size;
    p.window_seconds = window;
    p.n_channels = n_channels;
    return p;
  }
  static std::string config_error(random_batches_params p) {
    try {
      random_batches{data_, std::move(p)};
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      return e.what();
    }
    return "no error";
  }

  static inline test::temp_dir* dir_ = nullptr;
  static inline std::shared_ptr<const dataset> data_;
};

TEST_F(random_batches_test, an_item_is_a_valid_window_and_the_first_item_is_drawn_alone) {
  auto src = make(params(10, 60, 1));
  auto s = random_batches_state::seeded(1337);
  auto alone = s;
  auto item = src.draw_window(alone.rng);
  auto [batch, next] = *src.iterate(s);
  ASSERT_EQ(batch.items.size(), 10u);
  EXPECT_EQ(batch.items[0], item);
  EXPECT_NE(next, s);
  std::set<std::uint32_t> recordings;
  for (auto& w : batch.items) {
    recordings.insert(w.recording);
    auto& rec = data_->recordings()[w.recording];
    EXPECT_LE(w.start_epoch + 2, rec.labels.size());
    EXPECT_EQ(w.start_sample, rec.label_start + w.start_epoch * data_->epoch_samples());
    EXPECT_EQ(w.channels.size(), 1u);
  }
  EXPECT_GT(recordings.size(), 1u);
  auto out = src.materialize(batch);
  EXPECT_EQ(out.y.shape, (std::vector<std::uint64_t>{10, 2}));  // the label span is the window
  EXPECT_EQ(out.x.shape, (std::vector<std::uint64_t>{10, 1, 60 * 32}));
  EXPECT_EQ(out.items, batch.items);
}

TEST_F(random_batches_test, channels_are_drawn_without_replacement) {
  auto src = make(params(10, 60, 2));
  auto s = random_batches_state::seeded(1337);
  bool subsampled = false;
  for (int i = 0; i < 100; ++i) {
    auto [batch, next] = *src.iterate(s);
    for (auto& w : batch.items) {
      ASSERT_EQ(w.channels.size(), 2u);
      ASSERT_NE(w.channels[0], w.channels[1]);
      subsampled = subsampled || w.channels != std::vector<std::uint16_t>{0, 1};
    }
    s = next;
  }
  EXPECT_TRUE(subsampled);
}

TEST_F(random_batches_test, no_n_channels_means_all_channels) {
  auto src = make(params(10, 60, std::nullopt));
  EXPECT_EQ(src.channels(), 4u);
  auto s = random_batches_state::seeded(1337);
  for (int i = 0; i < 100; ++i) {
    auto [batch, next] = *src.iterate(s);
    for (auto& w : batch.items)
      ASSERT_EQ(w.channels, (std::vector<std::uint16_t>{0, 1, 2, 3}));
    s = next;
  }
}

TEST_F(random_batches_test, one_hot_recording_weights_give_only_that_recording) {
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto p = params(10, 60, 1);
    p.signal_weights = std::vector<double>(3, 0.0);
    (*p.signal_weights)[i] = 1;
    auto [batch, next] = *make(p).iterate(random_batches_state::seeded(1337));
    for (auto& w : batch.items)
      ASSERT_EQ(w.recording, i);
  }
}

TEST_F(random_batches_test, one_hot_label_weights_hit_that_epochs_window) {
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto p = params(10, 30, 1);
    p.signal_weights = std::vector<double>(3, 0.0);
    (*p.signal_weights)[i] = 1;
    p.label_weights.emplace();
    for (std::uint32_t r = 0; r < 3; ++r) {
      std::vector<double> w(data_->recordings()[r].labels.size(), 0.0);
      w[r + 5] = 1;
      p.label_weights->push_back(w);
    }
    auto src = make(p);
    auto s = random_batches_state::seeded(1337);
    auto w = src.draw_window(s.rng);
    EXPECT_EQ(w.recording, i);
    EXPECT_EQ(w.start_epoch, i + 5);
    EXPECT_EQ(w.start_sample, (i + 5) * 30 * 32);
  }
}

TEST_F(random_batches_test, first_only_and_last_only_weights_reach_the_first_and_last_windows) {
  auto n = data_->recordings()[0].labels.size();
  for (bool first : {true, false}) {
    auto p = params(1, 60, 1);
    p.signal_weights = std::vector<double>{1, 0, 0};
    std::vector<double> w(n, 0.0);
    w[first ? 0 : n - 1] = 1;
    p.label_weights = std::vector<std::vector<double>>{w, std::vector<double>(n, 1.0),
                                                      std::vector<double>(n, 1.0)};
    auto src = make(p);
    auto s = random_batches_state::seeded(99);
    for (int i = 0; i < 20; ++i)
      EXPECT_EQ(src.draw_window(s.rng).start_epoch, first ? 0 : n - 2);
  }
  // A single-epoch window at either end.
  auto p = params(1, 30, 1);
  p.signal_weights = std::vector<double>{1, 0, 0};
  std::vector<double> last(n, 0.0);
  last[n - 1] = 1;
  p.label_weights = std::vector<std::vector<double>>{last, std::vector<double>(n, 1.0),
                                                    std::vector<double>(n, 1.0)};
  auto s = random_batches_state::seeded(5);
  EXPECT_EQ(make(p).draw_window(s.rng).start_epoch, n - 1);
}

TEST_F(random_batches_test, the_whole_duration_returns_the_whole_label_span) {
  auto& rec = data_->recordings()[1];
  auto p = params(2, static_cast<double>(rec.labels.size() * 30), std::nullopt);
  p.signal_weights = std::vector<double>{0, 1, 0};
  auto src = make(p);
  auto [batch, next] = *src.iterate(random_batches_state::seeded(3));
  auto out = src.materialize(batch);
  for (auto& w : batch.items)
    EXPECT_EQ(w.start_epoch, 0u);
  EXPECT_EQ(std::vector<std::uint8_t>(out.y.values.begin(),
                                      out.y.values.begin() + static_cast<std::ptrdiff_t>(rec.labels.size())),
            rec.labels);
}

TEST_F(random_batches_test, bad_windows_weights_and_channels_are_clear_errors) {
  EXPECT_EQ(config_error(params(4, 1, 1)),
            "invalid signals source: window_seconds is 1 s, 0.0333333 epochs of 30 s; a window "
            "must be a whole number of epochs");
  EXPECT_EQ(config_error(params(4, 31, 1)),
            "invalid signals source: window_seconds is 31 s, 1.03333 epochs of 30 s; a window "
            "must be a whole number of epochs");
  EXPECT_EQ(config_error(params(4, 0, 1)),
            "invalid signals source: window_seconds must be > 0 (at least one 30 s epoch)");
  EXPECT_EQ(config_error(params(4, 21 * 30, 1)),
            "invalid signals source: a window of 630 s is longer than the labels of recording 0 "
            "(SL0000E0): 20 epochs of 30 s");
  EXPECT_EQ(config_error(params(0, 30, 1)), "invalid signals source: batch_size must be at least 1");
  EXPECT_EQ(config_error(params(4, 30, 0)),
            "invalid signals source: n_channels must be at least 1 (or unset for all channels)");
  EXPECT_EQ(config_error(params(4, 30, 5)),
            "invalid signals source: n_channels is 5 but recording 0 (SL0000E0) has 4 channels at "
            "32 Hz");
  auto p = params(4, 30, 1);
  p.signal_weights = std::vector<double>{1, 1};
  EXPECT_EQ(config_error(p), "invalid signals source: signal_weights has 2 entries for 3 recordings");
  p = params(4, 30, 1);
  p.label_weights = std::vector<std::vector<double>>{{1}};
  EXPECT_EQ(config_error(p), "invalid signals source: label_weights has 1 lists for 3 recordings");
  p.label_weights = std::vector<std::vector<double>>(3, std::vector<double>(20, 1.0));
  (*p.label_weights)[2].pop_back();
  EXPECT_EQ(config_error(p), "invalid signals source: label_weights[2] has 19 entries for the 20 "
                             "epochs of recording 2 (SL0002E0)");
}

// What edflib reads for one signal of a recording, rounded to float.
std::vector<float> edflib_window(const std::filesystem::path& file, int signal, std::uint64_t start,
                                 std::uint64_t n) {
  edf_hdr_struct hdr;
  auto lock = lock_edflib();
  EXPECT_EQ(edfopen_file_readonly(file.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS), 0);
  std::vector<double> d(n);
  edfseek(hdr.handle, signal, static_cast<long long>(start), EDFSEEK_SET);
  EXPECT_EQ(edfread_physical_samples(hdr.handle, signal, static_cast<int>(n), d.data()),
            static_cast<int>(n));
  edfclose_file(hdr.handle);
  return {d.begin(), d.end()};
}

TEST_F(random_batches_test, x_equals_edflib_and_y_the_hypnogram_in_the_documented_layout) {
  auto src = make(params(6, 90, 2));
  auto [batch, next] = *src.iterate(random_batches_state::seeded(21));
  auto out = src.materialize(batch);
  const std::uint64_t samples = 90 * 32, k = 3;
  ASSERT_EQ(out.x.values.size(), 6 * 2 * samples);
  for (std::size_t b = 0; b < 6; ++b) {
    auto& w = batch.items[b];
    auto& rec = data_->recordings()[w.recording];
    for (std::size_t c = 0; c < 2; ++c) {
      auto want = edflib_window(rec.psg, w.channels[c], w.start_sample, samples);
      auto at = out.x.values.begin() + static_cast<std::ptrdiff_t>((b * 2 + c) * samples);
      ASSERT_EQ(std::vector<float>(at, at + static_cast<std::ptrdiff_t>(samples)), want);
    }
    // y from the hypnogram's annotations, looked up here independently.
    auto hyp = read_edf_header(rec.hypnogram, true);
    for (std::size_t e = 0; e < k; ++e) {
      auto t = static_cast<std::int64_t>((w.start_epoch + e) * 30) * ticks_per_second;
      std::optional<std::uint8_t> want;
      for (auto& a : hyp.annotations)
        if (a.onset <= t && t < a.onset + a.duration)
          want = label_map::sleep_stages().find(a.text);
      ASSERT_TRUE(want);
      EXPECT_EQ(out.y.values[b * k + e], *want);
    }
  }
}

// Pinned: the picks and digests of seed 2024 on this test's dataset. A
// compiler, standard library or platform that changes them breaks replay.
TEST_F(random_batches_test, golden_vectors) {
  auto src = make(params(3, 60, 2));
  auto s = random_batches_state::seeded(2024);
  std::string picks;
  std::vector<std::string> digests;
  for (int i = 0; i < 3; ++i) {
    auto [batch, next] = *src.iterate(s);
    for (auto& w : batch.items)
      picks += std::to_string(w.recording) + ":" + std::to_string(w.start_epoch) + ":"
               + std::to_string(w.channels[0]) + std::to_string(w.channels[1]) + " ";
    digests.push_back(digest_hex(encode(src.materialize(batch))));
    s = next;
  }
  EXPECT_EQ(picks, "0:14:03 0:6:21 2:18:13 0:0:32 1:5:12 0:9:20 2:9:03 2:1:03 2:10:10 ");
  EXPECT_EQ(digests, (std::vector<std::string>{"51c458cfb4389bcb", "7f2280d8c13d92f2", "1b57165c84c2583e"}));
}

TEST_F(random_batches_test, the_state_round_trips_through_json) {
  auto s = random_batches_state::seeded(77);
  auto v = boost::json::value_from(s);
  EXPECT_EQ(boost::json::value_to<random_batches_state>(v), s);
  EXPECT_EQ(v.as_object().size(), 3u);  // rng, s, index
  EXPECT_THROW(boost::json::value_to<random_batches_state>(boost::json::parse(R"({"rng":"pcg","s":[]})")),
               error);
}

TEST_F(random_batches_test, workers_0_1_and_3_give_identical_digests_and_resume_continues) {
  auto p = params(4, 60, 2);
  auto reference = [&](random_batches_state s, int n) {
    plain_loop<random_batches> loop{make(p)};
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      auto [o, after] = *loop.take(s);
      out.push_back(digest_hex(encode(o)));
      s = after;
    }
    return std::make_pair(out, s);
  };
  auto [want, end] = reference(random_batches_state::seeded(8), 24);
  for (std::size_t workers : {0, 1, 3}) {
    config cfg;
    cfg.workers = workers;
    batcher<random_batches> b{make(p), cfg};
    auto s = random_batches_state::seeded(8);
    std::vector<std::string> got;
    for (int i = 0; i < 12; ++i) {
      auto [o, after] = *b.take(s);
      got.push_back(digest_hex(encode(o)));
      s = after;
    }
    b.stop();
    // Resume from the saved state, in a fresh batcher, as after a restart.
    auto saved = parse_checkpoint(b.source(), checkpoint_text(b.source(), s, 12), "saved");
    EXPECT_EQ(saved.index, 12u);
    auto resumed = saved.state;
    batcher<random_batches> again{make(p), cfg};
    for (int i = 0; i < 12; ++i) {
      auto [o, after] = *again.take(resumed);
      got.push_back(digest_hex(encode(o)));
      resumed = after;
    }
    EXPECT_EQ(got, want) << workers << " workers";
    EXPECT_EQ(resumed, end);
  }
}

// x comes from a pool of recycled blocks (docs/output-memory.md): a block is
// never handed out again while the client holds its batch, recycled memory
// gives the same bytes as fresh, and a source rebuilt on a node has a pool
// of its own.
TEST_F(random_batches_test, recycled_output_memory_gives_the_same_batches_held_or_freed) {
  auto p = params(4, 60, 2);
  plain_loop<random_batches> loop{make(p)};
  std::vector<labeled_batch> want;
  auto s = random_batches_state::seeded(8);
  for (int i = 0; i < 40; ++i) {
    auto [o, after] = *loop.take(s);
    want.push_back(std::move(o));
    s = after;
  }
  auto src = make(p);
  config cfg;
  cfg.workers = 3;
  batcher<random_batches> b{src, cfg};
  EXPECT_EQ(&b.source().output_memory(), &src.output_memory());  // copies share it
  std::vector<labeled_batch> held;
  s = random_batches_state::seeded(8);
  for (std::size_t i = 0; i < 40; ++i) {
    auto [o, after] = *b.take(s);
    EXPECT_EQ(o, want[i]) << "batch " << i;
    if (i % 2 == 0)
      held.push_back(std::move(o));  // kept while later batches are made
    s = after;
  }
  b.stop();
  for (std::size_t i = 0; i < held.size(); ++i)
    EXPECT_EQ(held[i], want[2 * i]) << "held batch " << 2 * i;
  auto stats = src.output_memory().stats();
  EXPECT_GT(stats.reused, 0u);
  EXPECT_LE(stats.idle_bytes, src.output_pool_bytes());

  auto rebuilt = random_batches::from_params(boost::json::parse(src.params()));
  EXPECT_NE(&rebuilt.output_memory(), &src.output_memory());
  auto [batch, next] = *rebuilt.iterate(random_batches_state::seeded(8));
  EXPECT_EQ(encode(rebuilt.materialize(batch)), encode(want[0]));
}

TEST_F(random_batches_test, the_fingerprint_pins_parameters_and_every_recording_by_name) {
  auto fp = [](const random_batches& src) { return src.fingerprint(); };
  auto diff = [&](const random_batches& a, const random_batches& b) {
    return detail::fingerprint_difference(fp(a), fp(b), "A", "B").value_or("equal");
  };
  auto base = make(params(4, 60, 2));
  EXPECT_EQ(diff(base, make(params(4, 60, 2))), "equal");
  EXPECT_NE(diff(base, make(params(5, 60, 2))).find("batch_size: 4 in A, 5 in B"),
            std::string::npos);
  EXPECT_NE(diff(base, make(params(4, 90, 2))).find("window_seconds"), std::string::npos);
  auto weighted = params(4, 60, 2);
  weighted.signal_weights = std::vector<double>{1, 2, 1};
  EXPECT_NE(diff(base, make(weighted)).find("recordings[SL0001E0].weight"), std::string::npos)
    << diff(base, make(weighted));
  // The same files elsewhere: the same sequence.
  test::temp_dir copy;
  make_dataset(copy.path(), recipe());
  EXPECT_EQ(diff(base, random_batches{dataset::open(copy.path()), params(4, 60, 2)}), "equal");
  // Regenerated: same names and sizes, other samples and labels.
  test::temp_dir other;
  make_dataset(other.path(), recipe(8));
  auto regenerated = diff(base, random_batches{dataset::open(other.path()), params(4, 60, 2)});
  EXPECT_NE(regenerated.find("recordings[SL0000E0].samples"), std::string::npos) << regenerated;
}

TEST_F(random_batches_test, sequences_hold_k_consecutive_epochs_epoch_by_epoch) {
  auto flat = make(params(3, 90, std::nullopt));
  auto p = params(3, 30, std::nullopt);
  p.sequence_epochs = 3;
  auto seq = make(p);
  auto s = random_batches_state::seeded(5);
  auto [batch, next] = *seq.iterate(s);
  EXPECT_EQ(batch, flat.iterate(s)->first);  // the same windows are drawn
  auto a = flat.materialize(batch), b = seq.materialize(batch);
  const std::size_t c = 4, e = 30 * 32, k = 3;
  ASSERT_EQ(b.x.shape, (std::vector<std::size_t>{3, k, c, e}));
  EXPECT_EQ(b.y, a.y);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < k; ++j)
      for (std::size_t ch = 0; ch < c; ++ch)
        ASSERT_TRUE(std::equal(b.x.values.begin() + static_cast<std::ptrdiff_t>(((i * k + j) * c + ch) * e),
                               b.x.values.begin() + static_cast<std::ptrdiff_t>(((i * k + j) * c + ch + 1) * e),
                               a.x.values.begin() + static_cast<std::ptrdiff_t>((i * c + ch) * k * e + j * e)))
          << "item " << i << " epoch " << j << " channel " << ch;
  p.window_seconds = 60;
  EXPECT_NE(config_error(p).find("window_seconds is 60 s with sequence_epochs 3"),
            std::string::npos) << config_error(p);
  p.window_seconds = 90;
  EXPECT_EQ(config_error(p), "no error");
  p.sequence_epochs = 0;
  EXPECT_NE(config_error(p).find("sequence_epochs is 0"), std::string::npos);
}

TEST_F(random_batches_test, the_sequential_order_passes_every_window_once_in_order_then_ends) {
  auto p = params(7, 60, std::nullopt);
  p.order = window_order::sequential;
  auto src = make(p);
  // 3 recordings of 20 epochs: 10 windows of 2 epochs each, 30 in all.
  ASSERT_EQ(src.pass_windows(), 30u);
  auto s = random_batches_state::seeded(1);
  std::vector<std::pair<std::uint32_t, std::uint64_t>> seen;
  std::vector<std::size_t> sizes;
  while (auto step = src.iterate(s)) {
    sizes.push_back(step->first.items.size());
    for (auto& w : step->first.items) {
      seen.emplace_back(w.recording, w.start_epoch);
      EXPECT_EQ(w.channels.size(), 4u);
    }
    auto out = src.materialize(step->first);
    for (std::size_t i = 0; i < out.items.size(); ++i)
      for (std::size_t j = 0; j < 2; ++j)
        ASSERT_EQ(out.y.values[i * 2 + j],
                  data_->recordings()[out.items[i].recording].labels[out.items[i].start_epoch + j]);
    s = step->second;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{7, 7, 7, 7, 2}));
  ASSERT_EQ(seen.size(), 30u);
  for (std::size_t i = 0; i < seen.size(); ++i)
    EXPECT_EQ(seen[i], (std::pair<std::uint32_t, std::uint64_t>{static_cast<std::uint32_t>(i / 10), (i % 10) * 2}));
  EXPECT_EQ(s.index, 5u);
  // The same state from any seed: the order does not use the generator.
  auto other = random_batches_state::seeded(99);
  EXPECT_EQ(src.iterate(other)->first, src.iterate(random_batches_state::seeded(1))->first);
  p.n_channels = 2;
  EXPECT_NE(config_error(p).find("the sequential order reads them all"), std::string::npos);
}

TEST_F(random_batches_test, a_sample_rate_equal_to_the_native_one_keeps_the_golden_batches) {
  dataset_options o;
  o.sample_rate = 32;
  random_batches same{dataset::open(dir_->path(), o), params(3, 60, 2)};
  auto base = make(params(3, 60, 2));
  auto s = random_batches_state::seeded(2024);
  for (int i = 0; i < 3; ++i) {
    auto [batch, next] = *base.iterate(s);
    EXPECT_EQ(digest_hex(encode(same.materialize(batch))), digest_hex(encode(base.materialize(batch))));
    s = next;
  }
  // Still a different fingerprint: the option is named.
  EXPECT_NE(same.fingerprint(), base.fingerprint());
}

TEST_F(random_batches_test, the_fingerprint_covers_every_preparation_parameter) {
  auto base = make(params(4, 60, std::nullopt));
  // Each source names its parameter and differs from the base.
  auto names = [&](const random_batches& src, const std::string& key) {
    EXPECT_NE(src.fingerprint(), base.fingerprint()) << key;
    return src.fingerprint().find("\"" + key + "\":") != std::string::npos;
  };
  // The defaults add nothing: fingerprints of earlier checkpoints still match.
  for (auto key : {"channels", "sample_rate", "scaling", "clip", "crop_wake_minutes",
                   "sequence_epochs", "order"})
    EXPECT_EQ(base.fingerprint().find(std::string{"\""} + key + "\":"), std::string::npos) << key;
  auto with = [&](auto change) {
    dataset_options o;
    change(o);
    return random_batches{dataset::open(dir_->path(), o), params(4, 60, std::nullopt)};
  };
  EXPECT_TRUE(names(with([](auto& o) { o.channels = {"Pz-Oz", "Fpz-Cz", "C3-A2", "C4-A1"}; }), "channels"));
  EXPECT_TRUE(names(with([](auto& o) { o.sample_rate = 64; }), "sample_rate"));
  auto robust = with([](auto& o) { o.scaling = scaling::robust; });
  EXPECT_TRUE(names(robust, "scaling"));
  EXPECT_TRUE(names(robust, "center"));  // the statistics of each channel
  auto clipped = with([](auto& o) { o.scaling = scaling::robust; o.clip = 5; });
  EXPECT_TRUE(names(clipped, "clip"));
  EXPECT_NE(clipped.fingerprint(), robust.fingerprint());
  EXPECT_TRUE(names(with([](auto& o) { o.crop_wake_minutes = 5; }), "crop_wake_minutes"));
  auto p = params(4, 60, std::nullopt);
  p.sequence_epochs = 2;
  EXPECT_TRUE(names(make(p), "sequence_epochs"));
  auto q = params(4, 60, std::nullopt);
  q.order = window_order::sequential;
  EXPECT_TRUE(names(make(q), "order"));
  // And a node rebuilds the same source from params().
  auto prepared = with([](auto& o) { o.scaling = scaling::zscore; o.sample_rate = 48; o.channels = {"C3-M2"}; });
  auto rebuilt = random_batches::from_params(boost::json::parse(prepared.params()));
  EXPECT_EQ(rebuilt.params(), prepared.params());
  auto s = random_batches_state::seeded(3);
  auto batch = prepared.iterate(s)->first;
  EXPECT_EQ(rebuilt.materialize(batch), prepared.materialize(batch));
}

}  // namespace
}  // namespace lockstep::signals
