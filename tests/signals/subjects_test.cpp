#include "lockstep/signals/subjects.hpp"

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "make_dataset.hpp"
#include "temp_dir.hpp"

namespace lockstep::signals {
namespace {

TEST(subjects, sleep_edf_names_carry_their_subject_in_characters_3_to_5) {
  EXPECT_EQ(sleep_edf_subject("SC4001E0"), "400");
  EXPECT_EQ(sleep_edf_subject("SC4002E0"), "400");
  EXPECT_EQ(sleep_edf_subject("SC4011E0"), "401");
  EXPECT_EQ(sleep_edf_subject("ST7011J0"), "701");
  EXPECT_EQ(sleep_edf_subject("SL0000E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("SC4x01E0"), std::nullopt);
  EXPECT_EQ(sleep_edf_subject("SC400"), std::nullopt);
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
  static inline test::temp_dir* dir_ = nullptr;
  static inline std::shared_ptr<const dataset> data_;
};

TEST_F(subjects_split, parts_are_disjoint_by_subject_cover_everything_and_follow_the_seed) {
  std::vector<double> f{0.5, 0.3, 0.2};
  auto parts = split_by_subject(*data_, f, 7, {"train", "val", "test"});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].subjects.size(), 3u);  // round(0.5 x 6)
  EXPECT_EQ(parts[1].subjects.size(), 2u);  // round(0.8 x 6) - 3
  EXPECT_EQ(parts[2].subjects.size(), 1u);
  std::set<std::string> subjects;
  std::set<std::size_t> recordings;
  for (auto& p : parts) {
    for (auto& s : p.subjects)
      EXPECT_TRUE(subjects.insert(s).second) << s << " is in two parts";
    for (auto r : p.recordings) {
      EXPECT_TRUE(recordings.insert(r).second);
      auto s = sleep_edf_subject(data_->recordings()[r].name);
      EXPECT_TRUE(std::find(p.subjects.begin(), p.subjects.end(), *s) != p.subjects.end());
    }
  }
  EXPECT_EQ(subjects.size(), 6u);
  EXPECT_EQ(recordings.size(), 11u);
  auto again = split_by_subject(*data_, f, 7, {"train", "val", "test"});
  EXPECT_EQ(again[0].subjects, parts[0].subjects);
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 12; ++seed)
    differs |= split_by_subject(*data_, f, seed, {"a", "b", "c"})[0].subjects != parts[0].subjects;
  EXPECT_TRUE(differs) << "every seed gave the same split";
}

TEST_F(subjects_split, bad_fractions_are_refused_naming_them) {
  auto refused = [&](std::vector<double> f, std::vector<std::string> names) {
    try {
      split_by_subject(*data_, f, 1, names);
    } catch (const error& e) {
      EXPECT_EQ(e.code(), errc::invalid_config);
      return std::string{e.what()};
    }
    return std::string{"no error"};
  };
  EXPECT_EQ(refused({1.0}, {"all"}), "fractions: a split needs at least two parts");
  EXPECT_EQ(refused({0.5, 0.4}, {"a", "b"}), "fractions: they sum to 0.9, not 1");
  EXPECT_EQ(refused({0.5, 0.5}, {"a"}), "fractions: 2 fractions for 1 names");
  EXPECT_EQ(refused({1.5, -0.5}, {"a", "b"}), "fractions: each must be a number > 0");
  EXPECT_EQ(refused({0.95, 0.05}, {"a", "b"}),
            "fractions: part \"b\" gets none of the 6 subjects; choose other fractions");
}

TEST_F(subjects_split, manifests_reopen_as_the_parts_and_overlaps_are_refused) {
  auto parts = split_by_subject(*data_, std::vector<double>{0.5, 0.5}, 3, {"train", "val"});
  auto out = dir_->path() / "splits";
  std::filesystem::create_directory(out);
  write_manifest(out / "train.json", *data_, parts[0]);
  write_manifest(out / "val.json", *data_, parts[1]);
  auto train = dataset::open(out / "train.json");
  auto val = dataset::open(out / "val.json");
  ASSERT_EQ(train->recordings().size(), parts[0].recordings.size());
  for (std::size_t i = 0; i < parts[0].recordings.size(); ++i)
    EXPECT_EQ(train->recordings()[i].name, data_->recordings()[parts[0].recordings[i]].name);
  EXPECT_NO_THROW(check_disjoint_subjects(*train, *val));
  try {
    check_disjoint_subjects(*data_, *val);
    FAIL() << "an overlap was accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_dataset);
    EXPECT_NE(std::string{e.what()}.find("share 3 subjects"), std::string::npos) << e.what();
  }
  std::ifstream before{out / "train.json"};
  std::string text{std::istreambuf_iterator<char>{before}, {}};
  EXPECT_THROW(write_manifest(out / "train.json", *data_, parts[1]), error);
  std::ifstream after{out / "train.json"};
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>{after}, {}), text);
}

}  // namespace
}  // namespace lockstep::signals
