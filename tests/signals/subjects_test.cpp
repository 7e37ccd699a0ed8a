#include "lockstep/signals/subjects.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/sources/xoshiro256.hpp"
#include "make_dataset.hpp"
#include "temp_dir.hpp"

namespace lockstep::signals {
namespace {

namespace fs = std::filesystem;

std::string text_of(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (auto& f : fs::directory_iterator{dir})
    names.push_back(f.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The message of the lockstep::error `f` throws, checking its code.
template <typename F>
std::string refusal(F f, errc code) {
  try {
    f();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  return "no error";
}

TEST(subjects, sleep_edf_names_carry_their_subject_in_characters_3_to_5) {
  EXPECT_EQ(sleep_edf_subject("SC4001E0"), "400");
  EXPECT_EQ(sleep_edf_subject("SC4002E0"), "400");
  EXPECT_EQ(sleep_edf_subject("SC4011E0"), "401");
  EXPECT_EQ(sleep_edf_subject("SC4191E0"), "419");
  EXPECT_EQ(sleep_edf_subject("ST7011J0"), "701");
  EXPECT_EQ(sleep_edf_subject("SC4001"), "400");  // six characters are enough
  EXPECT_EQ(sleep_edf_subject("SC400"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("SL0000E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("sc4001E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("SC4x01E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("SC40a1E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("XSC4001E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject(""), std::nullopt);
}

class subjects_split : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::temp_dir;
    make_dataset_options o;
    o.layout = dataset_layout::sleep_edf;
    o.recordings = 11;  // subjects 400..405, the last with one night
    o.minutes = 2;
    make_dataset(dir_->path() / "data", o);
    data_ = dataset::open(dir_->path() / "data");
  }
  static void TearDownTestSuite() {
    data_.reset();
    delete dir_;
  }
  static std::vector<split_part> split(std::vector<double> fractions, std::uint64_t seed,
                                       std::vector<std::string> names) {
    return split_by_subject(*data_, fractions, seed, names);
  }
  static inline test::temp_dir* dir_ = nullptr;
  static inline std::shared_ptr<const dataset> data_;
};

TEST_F(subjects_split, parts_are_disjoint_by_subject_and_cover_every_recording) {
  auto parts = split({0.5, 0.3, 0.2}, 7, {"train", "val", "test"});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "train");
  EXPECT_EQ(parts[2].name, "test");
  EXPECT_EQ(parts[0].subjects.size(), 3u);  // round(0.5 x 6)
  EXPECT_EQ(parts[1].subjects.size(), 2u);  // round(0.8 x 6) - 3
  EXPECT_EQ(parts[2].subjects.size(), 1u);
  std::set<std::string> subjects;
  std::set<std::size_t> recordings;
  for (auto& p : parts) {
    EXPECT_TRUE(std::is_sorted(p.subjects.begin(), p.subjects.end()));
    EXPECT_TRUE(std::is_sorted(p.recordings.begin(), p.recordings.end()));
    for (auto& s : p.subjects)
      EXPECT_TRUE(subjects.insert(s).second) << s << " is in two parts";
    for (auto r : p.recordings) {
      EXPECT_TRUE(recordings.insert(r).second) << r << " is in two parts";
      auto s = sleep_edf_subject(data_->recordings()[r].name);
      EXPECT_TRUE(std::find(p.subjects.begin(), p.subjects.end(), *s) != p.subjects.end())
        << data_->recordings()[r].name << " is not with its subject";
    }
  }
  EXPECT_EQ(subjects, (std::set<std::string>{"400", "401", "402", "403", "404", "405"}));
  EXPECT_EQ(recordings.size(), 11u);
}

TEST_F(subjects_split, the_split_is_the_documented_shuffle_of_the_seed) {
  for (std::uint64_t seed : {0u, 7u, 12345u}) {
    // subjects.hpp's rule, redone: sorted subjects, Fisher-Yates from the end.
    std::vector<std::string> order{"400", "401", "402", "403", "404", "405"};
    xoshiro256ss rng{seed};
    for (std::size_t i = order.size() - 1; i >= 1; --i)
      std::swap(order[i], order[uniform_below(rng, i + 1)]);
    auto cut = [&](std::size_t from, std::size_t to) {
      std::vector<std::string> part(order.begin() + static_cast<std::ptrdiff_t>(from),
                                    order.begin() + static_cast<std::ptrdiff_t>(to));
      std::sort(part.begin(), part.end());
      return part;
    };
    auto parts = split({0.5, 0.3, 0.2}, seed, {"a", "b", "c"});
    EXPECT_EQ(parts[0].subjects, cut(0, 3)) << seed;
    EXPECT_EQ(parts[1].subjects, cut(3, 5)) << seed;
    EXPECT_EQ(parts[2].subjects, cut(5, 6)) << seed;
  }
}

TEST_F(subjects_split, one_seed_gives_one_split_and_other_seeds_others) {
  auto parts = split({0.5, 0.5}, 7, {"train", "val"});
  auto again = split({0.5, 0.5}, 7, {"train", "val"});
  EXPECT_EQ(again[0].subjects, parts[0].subjects);
  EXPECT_EQ(again[1].subjects, parts[1].subjects);
  EXPECT_EQ(again[1].recordings, parts[1].recordings);
  // 20 ways to pick 3 of 6 subjects: four seeds all picking the one of seed
  // 7 would be a shuffle ignoring its seed.
  std::set<std::vector<std::string>> seen;
  for (std::uint64_t seed = 8; seed < 12; ++seed)
    seen.insert(split({0.5, 0.5}, seed, {"train", "val"})[0].subjects);
  seen.insert(parts[0].subjects);
  EXPECT_GE(seen.size(), 3u) << "the seed hardly changes the split";
}

TEST_F(subjects_split, bad_fractions_and_names_are_refused_naming_them) {
  auto refused = [&](std::vector<double> f, std::vector<std::string> names) {
    return refusal([&] { split(f, 1, names); }, errc::invalid_config);
  };
  EXPECT_EQ(refused({1.0}, {"all"}), "fractions: a split needs at least two parts");
  EXPECT_EQ(refused({0.5, 0.4}, {"a", "b"}), "fractions: they sum to 0.9, not 1");
  EXPECT_EQ(refused({0.5, 0.5, 0.1}, {"a", "b", "c"}), "fractions: they sum to 1.1, not 1");
  EXPECT_EQ(refused({1.5, -0.5}, {"a", "b"}), "fractions: each must be a number > 0");
  EXPECT_EQ(refused({1.0, 0.0}, {"a", "b"}), "fractions: each must be a number > 0");
  EXPECT_EQ(refused({0.5, std::nan("")}, {"a", "b"}), "fractions: each must be a number > 0");
  EXPECT_EQ(refused({0.95, 0.05}, {"a", "b"}),
            "fractions: part \"b\" gets no subject (the dataset has 6 subjects); choose other "
            "fractions (each part needs at least one subject)");
  EXPECT_EQ(refused({0.02, 0.98}, {"a", "b"}).substr(0, 64),
            "fractions: part \"a\" gets no subject (the dataset has 6 subjects)");
  EXPECT_EQ(refused({0.5, 0.5}, {"a"}), "names: 1 name for 2 fractions");
  EXPECT_EQ(refused({0.5, 0.5}, {"a", "a"}), "names: \"a\" names two parts");
  EXPECT_EQ(refused({0.5, 0.5}, {"a", ""}), "names: part 1 has no name");
  // Within 1e-9 of 1 is 1: tenths do not sum to 1 exactly in binary.
  EXPECT_EQ(split({0.1, 0.2, 0.7}, 1, {"a", "b", "c"}).size(), 3u);
}

TEST_F(subjects_split, a_recording_without_a_subject_is_refused_naming_it) {
  test::temp_dir dir;
  make_dataset_options o;  // plain: SL0000E0, SL0001E0
  o.recordings = 2;
  o.minutes = 2;
  o.sample_rate = 32;
  make_dataset(dir / "plain", o);
  auto plain = dataset::open(dir / "plain");
  auto what = refusal(
    [&] {
      split_by_subject(*plain, std::vector{0.5, 0.5}, 1, {"a", "b"});
    },
    errc::invalid_dataset);
  EXPECT_NE(what.find("SL0000E0-PSG.edf: its name has no Sleep-EDF subject"), std::string::npos)
    << what;
}

TEST_F(subjects_split, manifests_reopen_as_the_parts) {
  auto parts = split({0.5, 0.5}, 3, {"train", "val"});
  auto out = dir_->path() / "splits";
  fs::create_directory(out);
  auto files = write_manifests(out, *data_, parts);
  ASSERT_EQ(files, (std::vector<fs::path>{out / "train.json", out / "val.json"}));
  EXPECT_EQ(listing(out), (std::vector<std::string>{"train.json", "val.json"}))
    << "temporary files left behind";
  for (std::size_t p = 0; p < 2; ++p) {
    auto part = dataset::open(files[p]);
    ASSERT_EQ(part->recordings().size(), parts[p].recordings.size());
    for (std::size_t i = 0; i < parts[p].recordings.size(); ++i) {
      auto& want = data_->recordings()[parts[p].recordings[i]];
      auto& got = part->recordings()[i];
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(fs::canonical(got.psg), fs::canonical(want.psg));
      EXPECT_EQ(fs::canonical(got.hypnogram), fs::canonical(want.hypnogram));
      EXPECT_EQ(got.labels, want.labels);
    }
  }
  // Relative to the manifest's directory, one recording per line.
  auto text = text_of(files[0]);
  auto first = data_->recordings()[parts[0].recordings[0]].name;
  auto opening = "{\"recordings\": [\n  {\"psg\": \"../data/" + first
                 + "-PSG.edf\", \"hypnogram\": \"../data/" + first.substr(0, 7)
                 + "C-Hypnogram.edf\"},\n";
  EXPECT_EQ(text.substr(0, opening.size()), opening);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            2 + static_cast<std::ptrdiff_t>(parts[0].recordings.size()));
  EXPECT_EQ(text.substr(text.size() - 5), "}\n]}\n");
  EXPECT_EQ(text.find("weight"), std::string::npos);
}

TEST_F(subjects_split, an_existing_manifest_is_never_replaced_and_nothing_is_written) {
  auto parts = split({0.5, 0.5}, 3, {"train", "val"});
  test::temp_dir out;
  std::ofstream{out / "val.json"} << "mine";
  auto what = refusal([&] { write_manifests(out.path(), *data_, parts); }, errc::invalid_config);
  EXPECT_EQ(what, (out / "val.json").string()
                    + ": exists; a split never overwrites a manifest (remove it, or name another "
                      "--out)");
  EXPECT_EQ(listing(out.path()), std::vector<std::string>{"val.json"}) << "train.json written";
  EXPECT_EQ(text_of(out / "val.json"), "mine");
  refusal([&] { write_manifest(out / "val.json", *data_, parts[1]); }, errc::invalid_config);
  EXPECT_EQ(text_of(out / "val.json"), "mine");
  EXPECT_EQ(listing(out.path()), std::vector<std::string>{"val.json"});

  // A part that cannot be written takes back those written before it.
  auto bad = parts;
  bad[1].name = std::string(300, 'v');  // longer than a file name may be
  fs::remove(out / "val.json");
  auto io = refusal([&] { write_manifests(out.path(), *data_, bad); }, errc::io_error);
  EXPECT_NE(io.find("cannot be written"), std::string::npos) << io;
  EXPECT_TRUE(fs::is_empty(out.path())) << "train.json stayed after a failed split";
}

TEST_F(subjects_split, weights_are_kept_and_a_hypnogram_only_when_there_is_one) {
  // A recording whose labels are its own annotations, beside two of the
  // dataset's, weighted, in a manifest.
  test::temp_dir dir;
  edf_contents own;
  for (auto label : {"EEG Fpz-Cz", "EEG Pz-Oz", "EOG horizontal"}) {
    signal_data s;
    s.label = label;
    s.sample_rate = 100;
    s.samples.assign(120 * 100, 0);
    own.signals.push_back(s);
  }
  own.annotations = {{0, 60 * ticks_per_second, "Sleep stage W"},
                     {60 * ticks_per_second, 60 * ticks_per_second, "Sleep stage 1"}};
  fs::create_directory(dir / "own");
  write_edf(dir / "own" / "SC4201E0-PSG.edf", own);
  auto data = (dir_->path() / "data").string();
  std::ofstream{dir / "all.json"}
    << R"({"recordings": [{"psg": ")" << data << R"(/SC4001E0-PSG.edf", "hypnogram": ")" << data
    << R"(/SC4001EC-Hypnogram.edf", "weight": 2.5}, {"psg": "own/SC4201E0-PSG.edf"},
       {"psg": ")"
    << data << R"(/SC4011E0-PSG.edf", "hypnogram": ")" << data
    << R"(/SC4011EC-Hypnogram.edf", "weight": 0}]})";
  auto all = dataset::open(dir / "all.json");
  fs::create_directories(dir / "out" / "deeper");
  auto parts = split_by_subject(*all, std::vector{0.34, 0.33, 0.33}, 1, {"a", "b", "c"});
  auto files = write_manifests(dir / "out" / "deeper", *all, parts);
  std::map<std::string, const recording*> reopened;
  std::vector<std::shared_ptr<const dataset>> keep;
  for (auto& f : files) {
    keep.push_back(dataset::open(f));
    for (auto& r : keep.back()->recordings())
      reopened[r.name] = &r;
  }
  ASSERT_EQ(reopened.size(), 3u);
  EXPECT_EQ(reopened["SC4001E0"]->weight, 2.5);
  EXPECT_EQ(reopened["SC4011E0"]->weight, 0);
  EXPECT_EQ(reopened["SC4201E0"]->weight, 1);
  EXPECT_TRUE(reopened["SC4201E0"]->hypnogram.empty());
  EXPECT_EQ(reopened["SC4201E0"]->labels.size(), 4u);
  std::string texts;
  for (auto& f : files)
    texts += text_of(f);
  EXPECT_NE(texts.find(R"({"psg": "../../own/SC4201E0-PSG.edf"})"), std::string::npos) << texts;
  EXPECT_NE(texts.find(R"(, "weight": 2.5})"), std::string::npos) << texts;
  EXPECT_NE(texts.find(R"(, "weight": 0})"), std::string::npos) << texts;
}

TEST_F(subjects_split, overlapping_sets_are_refused_naming_a_subject_and_a_recording_of_each) {
  auto parts = split({0.5, 0.5}, 3, {"train", "val"});
  test::temp_dir out;
  auto files = write_manifests(out.path(), *data_, parts);
  auto train = dataset::open(files[0]);
  auto val = dataset::open(files[1]);
  EXPECT_NO_THROW(check_disjoint_subjects(*train, *val));
  EXPECT_NO_THROW(check_disjoint_subjects(*val, *train));

  auto what = refusal([&] { check_disjoint_subjects(*data_, *val); }, errc::invalid_dataset);
  std::string shared;
  for (auto& s : parts[1].subjects)
    shared += (shared.empty() ? "" : ", ") + s;
  auto first = data_->recordings()[parts[1].recordings[0]].name;
  EXPECT_EQ(what, "the training and validation sets share 3 subjects (" + shared + "; e.g. "
                    + first + " in " + data_->location().string() + ", " + first + " in "
                    + files[1].string()
                    + "): windows of one subject would be on both sides; split by subject "
                      "(lockstep split --by subject)");

  // One subject, other nights: SC4001E0 against SC4002E0.
  auto night = [&](const std::string& name, const std::string& n) {
    auto file = out / (name + ".json");
    auto data = (dir_->path() / "data").string();
    std::ofstream{file} << R"({"recordings": [{"psg": ")" << data << "/SC400" << n
                        << R"(E0-PSG.edf", "hypnogram": ")" << data << "/SC400" << n
                        << R"(EC-Hypnogram.edf"}]})";
    return dataset::open(file);
  };
  auto one = night("one", "1");
  auto two = night("two", "2");
  EXPECT_EQ(
    refusal([&] { check_disjoint_subjects(*one, *two); }, errc::invalid_dataset).substr(0, 200),
    ("the training and validation sets share 1 subject (400; e.g. SC4001E0 in "
     + (out / "one.json").string() + ", SC4002E0 in " + (out / "two.json").string()
     + "): windows of one subject would be on both sides; split by subject (lockstep "
       "split --by subject)")
      .substr(0, 200));
}

TEST_F(subjects_split, recordings_without_a_subject_overlap_by_name) {
  test::temp_dir dir;
  make_dataset_options o;  // plain: SL0000E0, SL0001E0
  o.recordings = 2;
  o.minutes = 2;
  o.sample_rate = 100;
  o.channels = 3;
  make_dataset(dir / "plain", o);
  auto plain = dataset::open(dir / "plain");
  auto what = refusal([&] { check_disjoint_subjects(*plain, *plain); }, errc::invalid_dataset);
  EXPECT_NE(what.find("share 2 subjects (recording SL0000E0, recording SL0001E0; e.g. SL0000E0 in"),
            std::string::npos)
    << what;
  EXPECT_NO_THROW(check_disjoint_subjects(*plain, *data_));
}

}  // namespace
}  // namespace lockstep::signals
