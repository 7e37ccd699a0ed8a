#include "lockstep/signals/channel_names.hpp"

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {
namespace {

edf_header with_labels(std::vector<std::string> labels) {
  edf_header h;
  for (auto& l : labels)
    h.signals.push_back({l, "uV", 100, 1, 0, 0});
  return h;
}

TEST(channel_names, keys_fold_case_separators_type_prefixes_and_mastoid_names) {
  EXPECT_EQ(channel_key("EEG Fpz-Cz"), "fpz-cz");
  EXPECT_EQ(channel_key("Fpz-Cz"), "fpz-cz");
  EXPECT_EQ(channel_key(" FPZ:CZ "), "fpz-cz");
  EXPECT_EQ(channel_key("EEG C4-A1"), "c4-m1");
  EXPECT_EQ(channel_key("C4-M1"), "c4-m1");
  EXPECT_EQ(channel_key("EOG horizontal"), "horizontal");
  EXPECT_EQ(channel_key("EEG"), "eeg");  // a type alone is the name
  EXPECT_EQ(channel_key("A12-Cz"), "a12-cz");  // only a whole electrode is renamed
}

TEST(channel_names, an_exact_label_wins_then_a_unique_alias) {
  auto h = with_labels({"EEG Fpz-Cz", "EEG Pz-Oz", "EMG submental"});
  EXPECT_EQ(find_channel(h, "EEG Pz-Oz", "f"), 1);
  EXPECT_EQ(find_channel(h, "eeg pz-oz", "f"), 1);
  EXPECT_EQ(find_channel(h, "Fpz-Cz", "f"), 0);
  EXPECT_EQ(find_channel(h, "EMG submental", "f"), 2);
  EXPECT_EQ(find_channel(h, "C3-M2", "f"), std::nullopt);
  auto both = with_labels({"Fpz-Cz", "EEG Fpz-Cz"});
  EXPECT_EQ(find_channel(both, "EEG Fpz-Cz", "f"), 1);
  try {
    find_channel(both, "FPZ:CZ", "f.edf");
    FAIL() << "an ambiguous name was resolved";
  } catch (const error& e) {
    EXPECT_EQ(std::string{e.what()},
              "f.edf: channel \"FPZ:CZ\" could be \"Fpz-Cz\" or \"EEG Fpz-Cz\"; name it exactly");
  }
}

}  // namespace
}  // namespace lockstep::signals
