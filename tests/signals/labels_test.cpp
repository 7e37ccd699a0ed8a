#include "lockstep/signals/labels.hpp"

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"

namespace lockstep::signals {
namespace {

constexpr std::int64_t s = ticks_per_second;
constexpr std::int64_t epoch = 30 * s;

std::vector<std::uint8_t> codes(std::initializer_list<stage> stages) {
  std::vector<std::uint8_t> out;
  for (auto x : stages)
    out.push_back(static_cast<std::uint8_t>(x));
  return out;
}

std::string failure(const std::vector<edf_annotation>& a) {
  try {
    encode_labels(a, epoch, label_map::sleep_stages(), "h.edf");
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_dataset);
    return e.what();
  }
  return "no error";
}

TEST(labels, default_map_knows_sleep_edf_and_aasm_texts) {
  auto m = label_map::sleep_stages();
  auto code = [&m](const char* text) { return static_cast<stage>(m.find(text).value()); };
  EXPECT_EQ(code("Sleep stage W"), stage::W);
  EXPECT_EQ(code("Sleep stage 1"), stage::N1);
  EXPECT_EQ(code("Sleep stage 2"), stage::N2);
  EXPECT_EQ(code("Sleep stage 3"), stage::N3);
  EXPECT_EQ(code("Sleep stage 4"), stage::N3);
  EXPECT_EQ(code("Sleep stage R"), stage::R);
  EXPECT_EQ(code("Sleep stage ?"), stage::unknown);
  EXPECT_EQ(code("Movement time"), stage::unknown);
  EXPECT_EQ(code("N1"), stage::N1);
  EXPECT_EQ(code("N3"), stage::N3);
  EXPECT_EQ(code("R"), stage::R);
  EXPECT_EQ(code("4"), stage::N3);
  EXPECT_FALSE(m.find("Lights off"));
  EXPECT_EQ(stage_name(3), "N3");
  EXPECT_EQ(stage_name(5), "?");
  EXPECT_EQ(stage_name(9), "");
}

TEST(labels, spans_become_epochs_and_a_partial_last_epoch_is_dropped) {
  std::vector<edf_annotation> a{
    {60 * s, 2 * epoch, "Sleep stage W"},
    {60 * s + 2 * epoch, 0, "Lights off"},  // not a label: skipped
    {60 * s + 2 * epoch, epoch, "Sleep stage 4"},
    {60 * s + 3 * epoch, epoch + 12 * s, "Sleep stage R"},
  };
  auto l = encode_labels(a, epoch, label_map::sleep_stages(), "h.edf");
  EXPECT_EQ(l.start, 60 * s);
  EXPECT_EQ(l.codes, codes({stage::W, stage::W, stage::N3, stage::R}));
}

TEST(labels, annotations_are_ordered_by_onset) {
  std::vector<edf_annotation> a{{epoch, epoch, "N2"}, {0, epoch, "W"}};
  auto l = encode_labels(a, epoch, label_map::sleep_stages(), "h.edf");
  EXPECT_EQ(l.codes, codes({stage::W, stage::N2}));
}

TEST(labels, a_custom_map_sets_the_codes) {
  label_map m;
  m.set("awake", 7);
  m.set("asleep", 9);
  std::vector<edf_annotation> a{{0, epoch, "awake"}, {epoch, 2 * epoch, "asleep"}};
  EXPECT_EQ(encode_labels(a, epoch, m, "h.edf").codes, (std::vector<std::uint8_t>{7, 9, 9}));
}

TEST(labels, gaps_overlaps_and_ragged_spans_are_errors_naming_the_span) {
  EXPECT_EQ(failure({{0, epoch, "Sleep stage W"}, {60 * s, epoch, "Sleep stage 1"}}),
            "h.edf: labels must be contiguous: \"Sleep stage W\" at 0 s ends at 30 s, but the "
            "next label, \"Sleep stage 1\" at 60 s, leaves a gap of 30 s");
  EXPECT_EQ(failure({{0, 2 * epoch, "Sleep stage W"}, {epoch, epoch, "Sleep stage 1"}}),
            "h.edf: labels must not overlap: \"Sleep stage W\" at 0 s ends at 60 s, after the "
            "next label, \"Sleep stage 1\" at 30 s, begins");
  EXPECT_EQ(failure({{0, 45 * s, "Sleep stage W"}, {45 * s, epoch, "Sleep stage 1"}}),
            "h.edf: the label \"Sleep stage W\" at 0 s lasts 45 s, not a whole number of 30 s "
            "epochs");
  EXPECT_EQ(failure({{0, -1, "Sleep stage W"}}),
            "h.edf: the label \"Sleep stage W\" at 0 s has no duration");
  EXPECT_NE(failure({{0, epoch, "Lights off"}}).find("h.edf: has no sleep-stage annotations"),
            std::string::npos);
  EXPECT_NE(failure({{0, 10 * s, "Sleep stage W"}}).find("less than one 30 s epoch"),
            std::string::npos);
}

}  // namespace
}  // namespace lockstep::signals
