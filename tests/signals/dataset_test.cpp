#include "lockstep/signals/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "edf_fixtures.hpp"
#include "lockstep/messages/errors.hpp"
#include "make_dataset.hpp"
#include "temp_dir.hpp"

namespace lockstep::signals {
namespace {

using test::random_signal;
using test::stage_spans;

// A PSG with `channels` EEG signals of `minutes` at `rate`, and its labels.
void write_pair(const std::filesystem::path& psg, const std::filesystem::path& hyp,
                std::uint32_t rate, std::uint32_t channels, int epochs,
                std::vector<std::pair<std::string, int>> spans) {
  edf_contents p;
  for (std::uint32_t c = 0; c < channels; ++c)
    p.signals.push_back(random_signal("EEG " + std::to_string(c), rate,
                                      static_cast<std::uint32_t>(epochs) * 30, c + 1));
  write_edf(psg, p);
  edf_contents h;
  h.annotations = stage_spans(spans);
  write_edf(hyp, h);
}

std::string open_error(const std::filesystem::path& where) {
  try {
    dataset::open(where);
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_dataset) << e.what();
    return e.what();
  }
  return "no error";
}

TEST(dataset, opens_a_made_dataset) {
  test::temp_dir dir;
  make_dataset_options o;
  o.recordings = 3;
  o.minutes = 4;
  o.channels = 2;
  o.sample_rate = 64;
  make_dataset(dir.path(), o);
  auto d = dataset::open(dir.path());
  ASSERT_EQ(d->recordings().size(), 3u);
  EXPECT_DOUBLE_EQ(d->sample_rate(), 64.0);
  EXPECT_EQ(d->epoch_samples(), 30u * 64);
  auto& r = d->recordings()[1];
  EXPECT_EQ(r.name, "SL0001E0");
  EXPECT_EQ(r.hypnogram.filename(), "SL0001EC-Hypnogram.edf");
  EXPECT_EQ(r.channels, (std::vector<std::uint16_t>{0, 1}));
  EXPECT_EQ(r.label_start, 0u);
  EXPECT_EQ(r.labels.size(), 8u);
  EXPECT_EQ(r.labels.back(), static_cast<std::uint8_t>(stage::unknown));
}

TEST(dataset, pairs_sleep_edf_names_and_reads_labels_inside_a_recording) {
  test::temp_dir dir;
  write_pair(dir / "SC4001E0-PSG.edf", dir / "SC4001EC-Hypnogram.edf", 32, 1, 3,
             {{"Sleep stage W", 2}, {"Sleep stage 2", 1}});
  edf_contents night;
  night.signals.push_back(random_signal("EEG", 32, 90, 9));
  night.annotations = stage_spans({{"N1", 1}, {"N2", 1}, {"R", 1}});
  write_edf(dir / "night.edf", night);
  auto d = dataset::open(dir.path());
  ASSERT_EQ(d->recordings().size(), 2u);
  auto& r0 = d->recordings()[0];
  EXPECT_EQ(r0.name, "SC4001E0");
  EXPECT_EQ(r0.labels, (std::vector<std::uint8_t>{0, 0, 2}));
  auto& r1 = d->recordings()[1];
  EXPECT_EQ(r1.name, "night");
  EXPECT_TRUE(r1.hypnogram.empty());
  EXPECT_EQ(r1.labels, (std::vector<std::uint8_t>{1, 2, 4}));
}

TEST(dataset, a_manifest_lists_recordings_with_weights) {
  test::temp_dir dir;
  std::filesystem::create_directories(dir / "data");
  write_pair(dir / "data/a-PSG.edf", dir / "data/a-Hypnogram.edf", 32, 2, 2, {{"W", 2}});
  write_pair(dir / "data/b-PSG.edf", dir / "data/b-Hypnogram.edf", 32, 2, 2, {{"R", 2}});
  std::ofstream{dir / "m.json"}
    << R"({"recordings": [{"psg": "data/b-PSG.edf", "hypnogram": "data/b-Hypnogram.edf",
                            "weight": 2.5},
                           {"psg": "data/a-PSG.edf", "hypnogram": "data/a-Hypnogram.edf"}]})";
  auto d = dataset::open(dir / "m.json");
  ASSERT_EQ(d->recordings().size(), 2u);
  EXPECT_EQ(d->recordings()[0].name, "b");
  EXPECT_EQ(d->recordings()[0].weight, 2.5);
  EXPECT_EQ(d->recordings()[1].weight, 1.0);
  EXPECT_EQ(d->recordings()[1].labels, (std::vector<std::uint8_t>{0, 0}));

  std::ofstream{dir / "bad.json"} << R"({"recordings": [{"psg": "data/a-PSG.edf", "wieght": 1}]})";
  EXPECT_EQ(open_error(dir / "bad.json"),
            (dir / "bad.json").string()
              + ": recordings[0] has an unknown field \"wieght\" (known: \"psg\", \"hypnogram\", "
                "\"weight\")");
  std::ofstream{dir / "trunc.json"} << R"({"recordings": [)";
  EXPECT_TRUE(open_error(dir / "trunc.json").starts_with((dir / "trunc.json").string() + ": not valid JSON"));
  std::ofstream{dir / "gone.json"} << R"({"recordings": [{"psg": "data/none-PSG.edf"}]})";
  EXPECT_EQ(open_error(dir / "gone.json"), (dir / "data/none-PSG.edf").string() + ": does not exist");
}

TEST(dataset, missing_empty_truncated_and_malformed_inputs_are_named) {
  test::temp_dir dir;
  EXPECT_EQ(open_error(dir / "nowhere"), (dir / "nowhere").string() + ": does not exist");
  EXPECT_EQ(open_error(dir.path()), dir.path().string() + ": holds no EDF recordings (*.edf)");

  write_pair(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  write_pair(dir / "b-PSG.edf", dir / "b-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  std::filesystem::resize_file(dir / "b-PSG.edf", std::filesystem::file_size(dir / "b-PSG.edf") - 10);
  auto truncated = open_error(dir.path());
  EXPECT_TRUE(truncated.starts_with((dir / "b-PSG.edf").string() + ": ")) << truncated;

  write_pair(dir / "b-PSG.edf", dir / "b-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  std::ofstream{dir / "b-Hypnogram.edf", std::ios::trunc} << "0       garbage";
  auto malformed = open_error(dir.path());
  EXPECT_TRUE(malformed.starts_with((dir / "b-Hypnogram.edf").string() + ": ")) << malformed;

  write_pair(dir / "b-PSG.edf", dir / "b-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  edf_contents gap;
  gap.annotations = {{0, 30 * ticks_per_second, "W"}, {60 * ticks_per_second, 30 * ticks_per_second, "R"}};
  write_edf(dir / "b-Hypnogram.edf", gap);
  auto gapped = open_error(dir.path());
  EXPECT_TRUE(gapped.starts_with((dir / "b-Hypnogram.edf").string() + ": labels must be contiguous"))
    << gapped;
}

TEST(dataset, hypnograms_must_belong_to_exactly_one_recording) {
  test::temp_dir dir;
  write_pair(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  edf_contents h;
  h.annotations = stage_spans({{"W", 1}});
  write_edf(dir / "zz-Hypnogram.edf", h);
  EXPECT_EQ(open_error(dir.path()),
            (dir / "zz-Hypnogram.edf").string()
              + ": belongs to no recording (expected its PSG file, e.g. zz-PSG.edf)");
  std::filesystem::remove(dir / "zz-Hypnogram.edf");
  write_pair(dir / "SC01E0-PSG.edf", dir / "SC01EC-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  write_edf(dir / "SC01EH-Hypnogram.edf", h);
  EXPECT_EQ(open_error(dir.path()), (dir / "SC01E0-PSG.edf").string()
                                      + ": has several hypnograms: SC01EC-Hypnogram.edf and "
                                        "SC01EH-Hypnogram.edf");
}

TEST(dataset, windows_use_the_fastest_signals_and_one_rate_per_dataset) {
  test::temp_dir dir;
  edf_contents psg;  // Sleep-EDF-like: two 100 Hz EEG, a 1 Hz EMG between them
  psg.signals.push_back(random_signal("EEG Fpz-Cz", 100, 60, 1));
  psg.signals.push_back(random_signal("EMG submental", 1, 60, 2));
  psg.signals.push_back(random_signal("EEG Pz-Oz", 100, 60, 3));
  write_edf(dir / "a-PSG.edf", psg);
  edf_contents h;
  h.annotations = stage_spans({{"W", 2}});
  write_edf(dir / "a-Hypnogram.edf", h);
  auto d = dataset::open(dir.path());
  EXPECT_EQ(d->recordings()[0].channels, (std::vector<std::uint16_t>{0, 2}));
  EXPECT_DOUBLE_EQ(d->sample_rate(), 100.0);

  write_pair(dir / "b-PSG.edf", dir / "b-Hypnogram.edf", 128, 1, 2, {{"W", 2}});
  auto message = open_error(dir.path());
  EXPECT_TRUE(message.starts_with((dir / "b-PSG.edf").string() + ": its fastest signals run at 128"))
    << message;
}

TEST(dataset, labels_are_cut_at_the_end_of_the_signals_and_shifted_by_start_time) {
  test::temp_dir dir;
  // Labels for 4 epochs, signals for 2.5: two epochs remain.
  edf_contents p;
  p.signals.push_back(random_signal("EEG", 32, 75, 1));
  write_edf(dir / "a-PSG.edf", p);
  edf_contents h;
  h.annotations = stage_spans({{"W", 1}, {"N2", 3}});
  write_edf(dir / "a-Hypnogram.edf", h);
  EXPECT_EQ(dataset::open(dir.path())->recordings()[0].labels, (std::vector<std::uint8_t>{0, 2}));

  // A hypnogram starting 10 s after the PSG: epoch 0 begins at sample 320.
  h.start_delay_seconds = 10;
  h.annotations = stage_spans({{"W", 1}, {"N2", 1}});
  write_edf(dir / "a-Hypnogram.edf", h);
  auto d = dataset::open(dir.path());
  EXPECT_EQ(d->recordings()[0].label_start, 320u);
  EXPECT_EQ(d->recordings()[0].labels, (std::vector<std::uint8_t>{0, 2}));

  // A PSG starting after its labels.
  p.start_delay_seconds = 20;
  h.start_delay_seconds = 0;
  write_edf(dir / "a-PSG.edf", p);
  write_edf(dir / "a-Hypnogram.edf", h);
  EXPECT_EQ(open_error(dir.path()),
            (dir / "a-Hypnogram.edf").string() + ": its labels start 20 s before the recording, more than half a sample");
}

TEST(dataset, a_label_claiming_years_is_cut_to_the_recording_before_it_is_expanded) {
  test::temp_dir dir;
  edf_contents p;
  p.signals.push_back(random_signal("EEG", 32, 90, 1));  // three epochs
  write_edf(dir / "a-PSG.edf", p);
  edf_contents h;
  // 10^11 s of N2 after one epoch of W: 3.3e9 epochs if expanded.
  h.annotations = {{0, 30 * ticks_per_second, "Sleep stage W"},
                   {30 * ticks_per_second, 100'000'000'000LL * ticks_per_second, "Sleep stage 2"}};
  write_edf(dir / "a-Hypnogram.edf", h);
  EXPECT_EQ(dataset::open(dir.path())->recordings()[0].labels,
            (std::vector<std::uint8_t>{0, 2, 2}));
}

TEST(dataset, a_dangling_link_a_nul_in_a_path_and_a_missing_hypnogram_are_named) {
  test::temp_dir dir;
  write_pair(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 32, 1, 2, {{"W", 2}});
  std::filesystem::create_symlink(dir / "gone-PSG.edf", dir / "b-PSG.edf");
  EXPECT_EQ(open_error(dir.path()), (dir / "b-PSG.edf").string() + ": is a symbolic link to "
                                      + (dir / "gone-PSG.edf").string() + ", which does not exist");
  std::filesystem::remove(dir / "b-PSG.edf");

  std::ofstream{dir / "m.json"} << R"({"recordings":[{"psg":"a-PSG.edf\u0000x"}]})";
  auto nul = open_error(dir / "m.json");
  EXPECT_NE(nul.find("recordings[0].psg holds a NUL character"), std::string::npos) << nul;

  std::filesystem::remove(dir / "a-Hypnogram.edf");
  auto missing = open_error(dir.path());
  EXPECT_EQ(missing, (dir / "a-PSG.edf").string()
                       + ": has no hypnogram: no a-Hypnogram.edf (or a name that differs in the "
                         "character before \"-Hypnogram\") is beside it, and the file holds no "
                         "sleep-stage annotations itself");
}

namespace prep {

// A Sleep-EDF-like PSG: two EEG channels at 100 Hz, EMG at 1 Hz, `epochs`
// epochs long; the EEG is a chirp, so resampling errors show.
void write_mixed(const std::filesystem::path& psg, const std::filesystem::path& hyp, int epochs,
                 std::vector<std::pair<std::string, int>> spans) {
  edf_contents p;
  auto seconds = static_cast<std::uint32_t>(epochs) * 30;
  signal_data fpz = random_signal("EEG Fpz-Cz", 100, seconds, 1);
  for (std::size_t i = 0; i < fpz.samples.size(); ++i) {
    double t = static_cast<double>(i) / 100;
    fpz.samples[i] = static_cast<std::int16_t>(
      std::lround(20000 * std::sin(2 * 3.14159265358979 * (0.5 * t + 0.01 * t * t))));
  }
  p.signals.push_back(std::move(fpz));
  p.signals.push_back(random_signal("EEG Pz-Oz", 100, seconds, 2));
  p.signals.push_back(random_signal("EMG submental", 1, seconds, 3));
  write_edf(psg, p);
  edf_contents h;
  h.annotations = stage_spans(spans);
  write_edf(hyp, h);
}

std::vector<float> read_all(const dataset& d, const recording& r, std::uint16_t signal) {
  std::vector<float> out(r.labels.size() * d.epoch_samples());
  d.read(r, std::span{&signal, 1}, r.label_start, out.size(), out.data());
  return out;
}

}  // namespace prep

TEST(dataset, channels_are_picked_by_name_or_alias_in_the_order_named) {
  test::temp_dir dir;
  prep::write_mixed(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 4, {{"W", 4}});
  dataset_options o;
  o.channels = {"Pz-Oz", "EEG Fpz-Cz"};
  auto d = dataset::open(dir.path(), o);
  EXPECT_EQ(d->recordings()[0].channels, (std::vector<std::uint16_t>{1, 0}));
  o.channels = {"Fpz-Cz", "C3-M2"};
  try {
    dataset::open(dir.path(), o);
    FAIL() << "a missing channel was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_dataset);
    EXPECT_EQ(std::string{e.what()},
              (dir / "a-PSG.edf").string()
                + ": has no channel \"C3-M2\" (its signals: \"EEG Fpz-Cz\", \"EEG Pz-Oz\", "
                  "\"EMG submental\")");
  }
}

TEST(dataset, channels_of_another_rate_need_a_sample_rate_and_are_resampled_to_it) {
  test::temp_dir dir;
  prep::write_mixed(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 6, {{"W", 6}});
  dataset_options o;
  o.channels = {"Fpz-Cz", "EMG submental"};
  try {
    dataset::open(dir.path(), o);
    FAIL() << "mixed rates were accepted without sample_rate";
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("channel \"EMG submental\" of a-PSG.edf runs at 1 Hz, "
                                         "\"EEG Fpz-Cz\" of a-PSG.edf at 100 Hz; set sample_rate"),
              std::string::npos)
      << e.what();
  }
  o.sample_rate = 128;
  auto d = dataset::open(dir.path(), o);
  EXPECT_EQ(d->epoch_samples(), 3840u);
  EXPECT_DOUBLE_EQ(d->sample_rate(), 128.0);
  auto& r = d->recordings()[0];
  ASSERT_EQ(r.plans.size(), 2u);
  ASSERT_TRUE(r.plans[0].resample && r.plans[1].resample);
  // Epoch by epoch, as windows read them, equals the whole span read at once:
  // no block edges.
  auto whole = prep::read_all(*d, r, 0);
  std::vector<float> epoch(d->epoch_samples());
  for (std::size_t e = 0; e < r.labels.size(); ++e) {
    std::uint16_t s = 0;
    d->read(r, std::span{&s, 1}, r.label_start + e * epoch.size(), epoch.size(), epoch.data());
    ASSERT_TRUE(std::equal(epoch.begin(), epoch.end(), whole.begin() + e * epoch.size()))
      << "epoch " << e << " differs from the whole signal's resampling";
  }
  o.sample_rate = 100.5;  // 3015 samples an epoch: allowed, 1.5 samples a second is not whole
  EXPECT_NO_THROW(dataset::open(dir.path(), o));
  o.sample_rate = 100.01;
  EXPECT_THROW(dataset::open(dir.path(), o), error);
}

TEST(dataset, a_sample_rate_equal_to_the_channels_own_reads_them_as_stored) {
  test::temp_dir dir;
  prep::write_mixed(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 3, {{"W", 3}});
  auto plain = dataset::open(dir.path());
  dataset_options o;
  o.sample_rate = 100;
  auto same = dataset::open(dir.path(), o);
  EXPECT_FALSE(same->recordings()[0].plans[0].resample);
  for (std::uint16_t s : {0, 1}) {
    auto a = prep::read_all(*plain, plain->recordings()[0], s);
    auto b = prep::read_all(*same, same->recordings()[0], s);
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  }
}

TEST(dataset, labels_start_at_the_nearest_sample_within_half_a_sample) {
  test::temp_dir dir;
  edf_contents p;
  p.signals.push_back(random_signal("EEG", 100, 90, 1));
  write_edf(dir / "a-PSG.edf", p);
  edf_contents h;
  auto at = [&](std::int64_t onset) {
    h.annotations = {{onset, 2 * 30 * ticks_per_second, "Sleep stage W"}};
    write_edf(dir / "a-Hypnogram.edf", h);
    return dataset::open(dir.path())->recordings()[0].label_start;
  };
  EXPECT_EQ(at(0), 0u);
  EXPECT_EQ(at(1000), 0u);            // 0.1 ms: a tenth of a sample
  EXPECT_EQ(at(51000), 1u);           // 5.1 ms: over half a sample, the next one
  EXPECT_EQ(at(10 * 1000 * 103), 10u);  // 10.3 ms
}

TEST(dataset, crop_wake_keeps_the_minutes_around_sleep) {
  test::temp_dir dir;
  write_pair(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 32, 1, 30,
             {{"W", 10}, {"N2", 3}, {"W", 2}, {"R", 2}, {"W", 13}});
  dataset_options o;
  o.crop_wake_minutes = 1.5;  // three epochs, rounded down from 1.5 min of 30 s epochs
  auto d = dataset::open(dir.path(), o);
  auto& r = d->recordings()[0];
  EXPECT_EQ(r.cropped_epochs, 7u);
  EXPECT_EQ(r.label_start, 7u * 30 * 32);
  EXPECT_EQ(r.labels, (std::vector<std::uint8_t>{0, 0, 0, 2, 2, 2, 0, 0, 4, 4, 0, 0, 0}));
  write_pair(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 32, 1, 3, {{"W", 3}});
  try {
    dataset::open(dir.path(), o);
    FAIL() << "a recording without sleep was cropped";
  } catch (const error& e) {
    EXPECT_EQ(std::string{e.what()}, (dir / "a-Hypnogram.edf").string()
                                       + ": has no sleep epoch (N1, N2, N3 or R) to crop the "
                                         "wake around");
  }
}

TEST(dataset, robust_and_zscore_scaling_use_statistics_of_the_labeled_span) {
  test::temp_dir dir;
  prep::write_mixed(dir / "a-PSG.edf", dir / "a-Hypnogram.edf", 4, {{"W", 1}, {"N2", 2}});
  auto plain = dataset::open(dir.path());
  auto raw = prep::read_all(*plain, plain->recordings()[0], 1);
  for (auto kind : {scaling::robust, scaling::zscore}) {
    dataset_options o;
    o.scaling = kind;
    o.clip = 0.5;
    auto d = dataset::open(dir.path(), o);
    auto& r = d->recordings()[0];
    auto copy = raw;
    auto want = kind == scaling::robust ? robust_statistics(copy) : zscore_statistics(raw);
    EXPECT_EQ(r.plans[1].scale, want);
    auto scaled = prep::read_all(*d, r, 1);
    auto expect = raw;
    apply_scale(expect.data(), expect.size(), want, kind == scaling::robust ? 0.5 : 0);
    EXPECT_EQ(scaled, expect);
    if (kind == scaling::robust) {
      EXPECT_EQ(*std::max_element(scaled.begin(), scaled.end()), 0.5f);  // clipped
    }
  }
}

TEST(dataset, a_sub_second_start_is_labelled_by_a_hypnogram_in_100_us_steps) {
  // pyedflib's test_subsecond.edf starts at +0.3945312 s; a hypnogram that
  // EDFlib writes for it says +0.3945 s: 31.2 µs before the first sample.
  test::temp_dir dir;
  edf_contents p;
  p.start_subsecond = 3'945'312;
  p.signals.push_back(random_signal("EEG Fpz-Cz", 100, 90, 1));
  write_edf(dir / "a-PSG.edf", p);
  edf_contents h;
  h.start_subsecond = 3'945'000;
  h.annotations = stage_spans({{"W", 1}, {"N2", 2}});
  write_edf(dir / "a-Hypnogram.edf", h);
  ASSERT_EQ(read_edf_header(dir / "a-PSG.edf", false).start % ticks_per_second, 3'945'312);
  auto d = dataset::open(dir.path());
  EXPECT_EQ(d->recordings()[0].label_start, 0u);
  EXPECT_EQ(d->recordings()[0].labels, (std::vector<std::uint8_t>{0, 2, 2}));
  // More than half a sample (5 ms at 100 Hz) before it is still refused.
  h.start_subsecond = 3'845'000;
  write_edf(dir / "a-Hypnogram.edf", h);
  EXPECT_EQ(open_error(dir.path()), (dir / "a-Hypnogram.edf").string()
                                      + ": its labels start 0.0100312 s before the recording, more "
                                        "than half a sample");
}

}  // namespace
}  // namespace lockstep::signals
