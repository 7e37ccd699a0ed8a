#include "make_dataset.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/signals/dataset.hpp"
#include "temp_dir.hpp"

namespace lockstep::signals {
namespace {

std::string bytes_of(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

make_dataset_options small(std::uint64_t seed) {
  make_dataset_options o;
  o.recordings = 2;
  o.minutes = 30;
  o.channels = 2;
  o.sample_rate = 64;
  o.seed = seed;
  return o;
}

TEST(make_dataset, writes_sleep_edf_pairs_deterministically_from_the_seed) {
  test::temp_dir a, b, c;
  auto files = make_dataset(a.path(), small(3));
  make_dataset(b.path(), small(3));
  make_dataset(c.path(), small(4));
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].filename(), "SL0000E0-PSG.edf");
  EXPECT_EQ(files[1].filename(), "SL0000EC-Hypnogram.edf");
  EXPECT_EQ(files[3].filename(), "SL0001EC-Hypnogram.edf");
  for (auto& f : files) {
    EXPECT_EQ(bytes_of(f), bytes_of(b / f.filename().string())) << f;
    EXPECT_NE(bytes_of(f), bytes_of(c / f.filename().string())) << f;
  }
  EXPECT_FALSE(std::filesystem::exists(a / "SL0000E0-PSG.edf.tmp"));
}

TEST(make_dataset, stages_vary_and_shape_the_signal) {
  test::temp_dir dir;
  auto o = small(1);
  o.recordings = 1;
  o.minutes = 8 * 60;
  make_dataset(dir.path(), o);
  auto d = dataset::open(dir.path());
  auto& rec = d->recordings()[0];
  std::map<std::uint8_t, int> histogram;
  for (auto code : rec.labels)
    ++histogram[code];
  EXPECT_EQ(histogram.size(), 6u) << "every stage, movement and the final '?' appear";
  EXPECT_EQ(rec.labels.back(), static_cast<std::uint8_t>(stage::unknown));

  // Mean absolute amplitude per stage: N3's slow waves dwarf wake's alpha.
  std::map<std::uint8_t, double> sum;
  std::vector<float> epoch(d->epoch_samples());
  std::vector<std::uint16_t> channel{0};
  for (std::size_t e = 0; e < rec.labels.size(); ++e) {
    rec.file->read(channel, e * d->epoch_samples(), d->epoch_samples(), epoch.data());
    for (auto x : epoch)
      sum[rec.labels[e]] += std::abs(x) / static_cast<double>(epoch.size() * histogram[rec.labels[e]]);
  }
  EXPECT_GT(sum[static_cast<std::uint8_t>(stage::N3)], 2.5 * sum[static_cast<std::uint8_t>(stage::W)]);
}

TEST(make_dataset, bad_options_are_named_and_write_nothing) {
  test::temp_dir dir;
  auto o = small(1);
  o.channels = 0;
  try {
    make_dataset(dir / "out", o);
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_config);
    EXPECT_NE(std::string{e.what()}.find("channels"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(make_dataset, write_edf_refuses_contents_it_cannot_write) {
  test::temp_dir dir;
  edf_contents c;
  signal_data s;
  s.label = "EEG";
  s.sample_rate = 10;
  s.samples.resize(15);  // one and a half records
  c.signals.push_back(s);
  EXPECT_THROW(write_edf(dir / "x.edf", c), error);
  c.signals[0].samples.resize(20);
  c.annotations.push_back({1, -1, "not on the 100 us grid"});
  EXPECT_THROW(write_edf(dir / "x.edf", c), error);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

std::vector<std::string> listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (auto& f : std::filesystem::directory_iterator{dir})
    names.push_back(f.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

make_dataset_options sleep_edf(std::uint32_t recordings, std::uint32_t minutes,
                               std::uint64_t seed) {
  make_dataset_options o;
  o.layout = dataset_layout::sleep_edf;
  o.recordings = recordings;
  o.minutes = minutes;
  o.seed = seed;
  return o;
}

TEST(make_dataset, the_sleep_edf_layout_names_two_nights_per_subject) {
  test::temp_dir a, b;
  make_dataset(a.path(), sleep_edf(3, 4, 1));
  EXPECT_EQ(listing(a.path()),
            (std::vector<std::string>{"SC4001E0-PSG.edf", "SC4001EC-Hypnogram.edf",
                                      "SC4002E0-PSG.edf", "SC4002EC-Hypnogram.edf",
                                      "SC4011E0-PSG.edf", "SC4011EC-Hypnogram.edf"}));
  // Even nights of 4 minutes reach slow-wave sleep, written as 3 then 4.
  for (auto night : {"SC4001", "SC4002", "SC4011"}) {
    std::vector<std::string> texts;
    auto hyp = read_edf_header(a / (night + std::string{"EC-Hypnogram.edf"}), true);
    for (auto& ann : hyp.annotations)
      texts.push_back(ann.text);
    EXPECT_EQ(texts, (std::vector<std::string>{"Sleep stage W", "Sleep stage 1", "Sleep stage 2",
                                               "Sleep stage 3", "Sleep stage 4", "Sleep stage ?"}))
      << night;
  }
  make_dataset(b.path(), sleep_edf(24, 1, 1));
  auto names = listing(b.path());
  EXPECT_EQ(names[44], "SC4111E0-PSG.edf");  // recording 22: subject 11, night 1
  EXPECT_EQ(names[47], "SC4112EC-Hypnogram.edf");
}

TEST(make_dataset, the_sleep_edf_layout_has_its_signals_rates_and_hypnograms) {
  test::temp_dir a, b, c;
  const auto o = sleep_edf(2, 20, 4);
  make_dataset(a.path(), o);
  make_dataset(b.path(), o);
  make_dataset(c.path(), sleep_edf(2, 20, 5));
  for (auto& name : listing(a.path())) {
    EXPECT_EQ(bytes_of(a / name), bytes_of(b / name)) << name << ": one seed, other bytes";
    EXPECT_NE(bytes_of(a / name), bytes_of(c / name)) << name << ": two seeds, one file";
  }
  const auto end = std::int64_t{o.minutes} * 60 * ticks_per_second;
  const auto epoch = 30 * ticks_per_second;
  for (auto night : {"SC4001", "SC4002"}) {
    SCOPED_TRACE(night);
    auto psg = a / (night + std::string{"E0-PSG.edf"});
    auto h = read_edf_header(psg, false);
    std::vector<std::tuple<std::string, double, std::string>> signals;
    for (std::size_t i = 0; i < h.signals.size(); ++i)
      signals.emplace_back(h.signals[i].label, h.sample_rate(i), h.signals[i].unit);
    EXPECT_EQ(signals, (std::vector<std::tuple<std::string, double, std::string>>{
                         {"EEG Fpz-Cz", 100, "uV"}, {"EEG Pz-Oz", 100, "uV"},
                         {"EOG horizontal", 100, "uV"}, {"Resp oro-nasal", 1, ""},
                         {"EMG submental", 1, "uV"}, {"Temp rectal", 1, "DegC"},
                         {"Event marker", 1, ""}}));
    EXPECT_EQ(static_cast<std::int64_t>(h.records) * h.record_ticks, end);

    auto hyp = read_edf_header(a / (night + std::string{"EC-Hypnogram.edf"}), true);
    std::map<std::string, int> texts;
    for (auto& ann : hyp.annotations)
      ++texts[ann.text];
    EXPECT_GT(texts["Sleep stage 3"], 0);
    EXPECT_GT(texts["Sleep stage 4"], 0);
    for (auto& [text, n] : texts)
      EXPECT_TRUE(text == "Sleep stage W" || text == "Sleep stage 1" || text == "Sleep stage 2"
                  || text == "Sleep stage 3" || text == "Sleep stage 4"
                  || text == "Sleep stage R" || text == "Movement time"
                  || text == "Sleep stage ?")
        << text;
    // Long wake at both ends: a quarter before sleep, a fifth after (less the
    // last epoch, the "?").
    ASSERT_GE(hyp.annotations.size(), 3u);
    EXPECT_EQ(hyp.annotations.front().text, "Sleep stage W");
    EXPECT_GE(hyp.annotations.front().duration, end / 4);
    auto& before_last = hyp.annotations[hyp.annotations.size() - 2];
    EXPECT_EQ(before_last.text, "Sleep stage W");
    EXPECT_GE(before_last.onset + before_last.duration, end - epoch);
    EXPECT_GE(before_last.duration + epoch, end / 5);
    auto& last = hyp.annotations.back();
    EXPECT_EQ(last.text, "Sleep stage ?");
    EXPECT_GE(last.onset + last.duration, end + 30 * 60 * ticks_per_second);  // past the signals

    // The 1 Hz signals: a rectal temperature near 37 degrees, the chin's EMG
    // strongest awake, a constant marker.
    edf_file file{psg};
    std::vector<float> temp(h.records), emg(h.records), marker(h.records);
    file.read(std::vector<std::uint16_t>{5}, 0, h.records, temp.data());
    file.read(std::vector<std::uint16_t>{4}, 0, h.records, emg.data());
    file.read(std::vector<std::uint16_t>{6}, 0, h.records, marker.data());
    for (auto t : temp)
      EXPECT_NEAR(t, 37, 1);
    EXPECT_GT(std::abs(temp.front() - temp.back()), 0.1) << "the temperature does not vary";
    double wake = 0, asleep = 0;
    for (std::size_t s = 0; s < emg.size(); ++s)
      (s < h.records / 4 ? wake : asleep) += emg[s];
    EXPECT_GT(wake / static_cast<double>(h.records / 4),
              1.3 * asleep / static_cast<double>(h.records - h.records / 4));
    EXPECT_EQ(std::count(marker.begin(), marker.end(), marker[0]),
              static_cast<std::ptrdiff_t>(marker.size()));
  }

  // It opens as a dataset: its fastest signals, the three at 100 Hz, labels
  // cut at the end of the signals.
  auto d = dataset::open(a.path());
  EXPECT_EQ(d->recordings()[0].channels, (std::vector<std::uint16_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(d->sample_rate(), 100.0);
  EXPECT_EQ(d->recordings()[0].labels.size(), std::size_t{o.minutes} * 2);
}

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325;
  for (unsigned char b : bytes)
    h = (h ^ b) * 0x100000001b3;
  return h;
}

TEST(make_dataset, the_plain_layout_is_the_default_and_writes_the_bytes_it_always_wrote) {
  // Pinned before the Sleep-EDF layout was added: datasets written then (and
  // the digests in their checkpoints) are written again bit for bit.
  EXPECT_EQ(make_dataset_options{}.layout, dataset_layout::plain);
  test::temp_dir a;
  auto files = make_dataset(a.path(), small(3));
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(fnv1a(bytes_of(files[0])), 0xae72707a6ac1fda4u) << files[0];
  EXPECT_EQ(fnv1a(bytes_of(files[1])), 0xbcc4bcf1f0213edbu) << files[1];
  EXPECT_EQ(fnv1a(bytes_of(files[2])), 0x8abc2c0de58f440eu) << files[2];
  EXPECT_EQ(fnv1a(bytes_of(files[3])), 0xccecca96219455a2u) << files[3];
}

}  // namespace
}  // namespace lockstep::signals
