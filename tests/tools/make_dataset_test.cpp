#include "make_dataset.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>

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

TEST(make_dataset, the_sleep_edf_layout_has_its_names_signals_rates_and_hypnograms) {
  test::temp_dir a, b;
  make_dataset_options o;
  o.layout = dataset_layout::sleep_edf;
  o.recordings = 3;
  o.minutes = 120;
  o.seed = 4;
  make_dataset(a.path(), o);
  make_dataset(b.path(), o);
  auto psg = a.path() / "SC4011E0-PSG.edf";
  EXPECT_EQ(bytes_of(psg), bytes_of(b.path() / "SC4011E0-PSG.edf"));
  EXPECT_TRUE(std::filesystem::exists(a.path() / "SC4002EC-Hypnogram.edf"));
  auto h = read_edf_header(psg, false);
  std::vector<std::pair<std::string, double>> signals;
  for (std::size_t i = 0; i < h.signals.size(); ++i)
    signals.emplace_back(h.signals[i].label, h.sample_rate(i));
  EXPECT_EQ(signals, (std::vector<std::pair<std::string, double>>{
                       {"EEG Fpz-Cz", 100}, {"EEG Pz-Oz", 100}, {"EOG horizontal", 100},
                       {"Resp oro-nasal", 1}, {"EMG submental", 1}, {"Temp rectal", 1},
                       {"Event marker", 1}}));
  auto hyp = read_edf_header(a.path() / "SC4011EC-Hypnogram.edf", true);
  std::map<std::string, int> texts;
  for (auto& ann : hyp.annotations)
    ++texts[ann.text];
  EXPECT_GT(texts["Sleep stage 3"], 0);
  EXPECT_GT(texts["Sleep stage 4"], 0);
  auto& last = hyp.annotations.back();
  EXPECT_EQ(last.text, "Sleep stage ?");
  const auto end = static_cast<std::int64_t>(o.minutes) * 60 * ticks_per_second;
  EXPECT_GE(last.onset + last.duration, end + 30 * 60 * ticks_per_second);  // past the signals
  // Long wake at both ends: a quarter before sleep, a fifth after.
  EXPECT_EQ(hyp.annotations.front().text, "Sleep stage W");
  EXPECT_GE(hyp.annotations.front().duration, end / 4);
  auto& before_last = hyp.annotations[hyp.annotations.size() - 2];
  EXPECT_EQ(before_last.text, "Sleep stage W");
  EXPECT_GE(before_last.duration + 30 * ticks_per_second, end / 5);
  // It opens as a dataset: its fastest signals, the three at 100 Hz.
  auto d = dataset::open(a.path());
  EXPECT_EQ(d->recordings()[0].channels, (std::vector<std::uint16_t>{0, 1, 2}));
  EXPECT_DOUBLE_EQ(d->sample_rate(), 100.0);
}

}  // namespace
}  // namespace lockstep::signals
