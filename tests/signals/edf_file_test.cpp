#include "lockstep/signals/edf_file.hpp"

#include <atomic>
#include <fstream>
#include <thread>

#include <edflib.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "make_dataset.hpp"
#include "lockstep/sources/xoshiro256.hpp"
#include "temp_dir.hpp"

namespace lockstep::signals {
namespace {

signal_data random_signal(std::string label, std::uint32_t rate, std::uint32_t seconds,
                          std::uint64_t seed, double phys_min, double phys_max,
                          std::int32_t dig_min, std::int32_t dig_max) {
  signal_data s;
  s.label = std::move(label);
  s.sample_rate = rate;
  s.physical_min = phys_min;
  s.physical_max = phys_max;
  s.digital_min = dig_min;
  s.digital_max = dig_max;
  xoshiro256ss rng{seed};
  auto span = static_cast<std::uint64_t>(dig_max - dig_min + 1);
  for (std::uint64_t i = 0; i < std::uint64_t{rate} * seconds; ++i)
    s.samples.push_back(static_cast<std::int16_t>(dig_min + static_cast<std::int64_t>(uniform_below(rng, span))));
  return s;
}

// Two 64 Hz signals with unround gains, one at 8 Hz, and two annotations.
edf_contents mixed_file() {
  edf_contents c;
  c.signals.push_back(random_signal("EEG A", 64, 20, 1, -187.3, 221.9, -2048, 2047));
  c.signals.push_back(random_signal("EMG", 8, 20, 2, -1, 1, -32768, 32767));
  c.signals.push_back(random_signal("EEG B", 64, 20, 3, -500.5, 499.25, -32768, 32767));
  c.annotations.push_back({0, 10 * ticks_per_second, "Sleep stage W"});
  c.annotations.push_back({10 * ticks_per_second, 10 * ticks_per_second, "Sleep stage 2"});
  return c;
}

// What edflib reads for `signal` in [start, start + n), rounded to float.
std::vector<float> edflib_read(const std::filesystem::path& file, int signal, long long start, int n) {
  edf_hdr_struct hdr;
  auto lock = lock_edflib();
  EXPECT_EQ(edfopen_file_readonly(file.c_str(), &hdr, EDFLIB_DO_NOT_READ_ANNOTATIONS), 0);
  std::vector<double> d(static_cast<std::size_t>(n));
  edfseek(hdr.handle, signal, start, EDFSEEK_SET);
  EXPECT_EQ(edfread_physical_samples(hdr.handle, signal, n, d.data()), n);
  edfclose_file(hdr.handle);
  return {d.begin(), d.end()};
}

TEST(edf_file, reads_the_header_and_annotations) {
  test::temp_dir dir;
  write_edf(dir / "a.edf", mixed_file());
  edf_file f{dir / "a.edf", true};
  auto& h = f.header();
  ASSERT_EQ(h.signals.size(), 3u);
  EXPECT_EQ(h.signals[0].label, "EEG A");
  EXPECT_EQ(h.signals[1].label, "EMG");
  EXPECT_EQ(h.signals[0].unit, "uV");
  EXPECT_EQ(h.signals[1].samples_per_record, 8u);
  EXPECT_EQ(h.records, 20u);
  EXPECT_EQ(h.record_ticks, ticks_per_second);
  EXPECT_DOUBLE_EQ(h.sample_rate(2), 64.0);
  ASSERT_EQ(h.annotations.size(), 2u);
  EXPECT_EQ(h.annotations[1].text, "Sleep stage 2");
  EXPECT_EQ(h.annotations[1].onset, 10 * ticks_per_second);
  EXPECT_EQ(h.annotations[1].duration, 10 * ticks_per_second);
}

TEST(edf_file, windows_equal_edflib_sample_for_sample) {
  test::temp_dir dir;
  write_edf(dir / "a.edf", mixed_file());
  edf_file f{dir / "a.edf"};
  struct range {
    std::uint64_t start, n;
  };
  // Within a record, across records, from the first to the last sample.
  for (auto [start, n] : {range{0, 10}, range{60, 200}, range{64, 64}, range{5, 1275}, range{0, 1280}}) {
    std::vector<std::uint16_t> signals{2, 0};
    std::vector<float> got(2 * n);
    f.read(signals, start, n, got.data());
    auto b = edflib_read(dir / "a.edf", 2, static_cast<long long>(start), static_cast<int>(n));
    auto a = edflib_read(dir / "a.edf", 0, static_cast<long long>(start), static_cast<int>(n));
    ASSERT_EQ(std::vector<float>(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(n)), b) << start;
    ASSERT_EQ(std::vector<float>(got.begin() + static_cast<std::ptrdiff_t>(n), got.end()), a) << start;
  }
  std::vector<std::uint16_t> emg{1};
  std::vector<float> got(40);
  f.read(emg, 100, 40, got.data());
  EXPECT_EQ(got, edflib_read(dir / "a.edf", 1, 100, 40));
}

TEST(edf_file, concurrent_reads_equal_serial_ones) {
  test::temp_dir dir;
  write_edf(dir / "a.edf", mixed_file());
  edf_file f{dir / "a.edf"};
  std::vector<std::uint16_t> signals{0, 2};
  auto window = [&](std::uint64_t start) {
    std::vector<float> out(2 * 300);
    f.read(signals, start, 300, out.data());
    return out;
  };
  std::vector<std::vector<float>> want;
  for (std::uint64_t s = 0; s < 900; s += 7)
    want.push_back(window(s));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round)
        for (std::uint64_t s = 0, i = 0; s < 900; s += 7, ++i)
          if (window(s) != want[i])
            ++mismatches;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(edf_file, rejects_ranges_outside_and_mixed_rates) {
  test::temp_dir dir;
  write_edf(dir / "a.edf", mixed_file());
  edf_file f{dir / "a.edf"};
  std::vector<float> out(2000);
  std::vector<std::uint16_t> one{0}, mixed{0, 1}, missing{3};
  EXPECT_THROW(f.read(one, 1200, 81, out.data()), error);
  EXPECT_THROW(f.read(mixed, 0, 8, out.data()), error);
  EXPECT_THROW(f.read(missing, 0, 8, out.data()), error);
}

std::string open_error(const std::filesystem::path& file) {
  try {
    edf_file f{file};
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_dataset);
    return e.what();
  }
  return "no error";
}

TEST(edf_file, missing_malformed_and_truncated_files_are_named) {
  test::temp_dir dir;
  EXPECT_EQ(open_error(dir / "none.edf"), (dir / "none.edf").string() + ": does not exist");

  std::ofstream{dir / "junk.edf"} << "this is not an EDF file at all";
  auto junk = open_error(dir / "junk.edf");
  EXPECT_TRUE(junk.starts_with((dir / "junk.edf").string() + ": ")) << junk;

  write_edf(dir / "short.edf", mixed_file());
  std::filesystem::resize_file(dir / "short.edf", std::filesystem::file_size(dir / "short.edf") - 100);
  auto truncated = open_error(dir / "short.edf");
  EXPECT_TRUE(truncated.starts_with((dir / "short.edf").string() + ": ")) << truncated;
  EXPECT_NE(truncated.find("truncated"), std::string::npos) << truncated;
}

TEST(edf_file, a_file_truncated_while_open_fails_the_read_not_the_process) {
  test::temp_dir dir;
  write_edf(dir / "a.edf", mixed_file());
  edf_file f{dir / "a.edf"};
  std::filesystem::resize_file(dir / "a.edf", f.header().header_bytes + 2 * f.header().record_bytes);
  std::vector<std::uint16_t> one{0};
  std::vector<float> out(640);
  try {
    f.read(one, 640, 640, out.data());
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_NE(std::string{e.what()}.find("a.edf: is shorter than when it was opened"),
              std::string::npos)
      << e.what();
  }
}

TEST(edf_file, a_plain_edf_file_reads_a_signal_labelled_edf_annotations_as_data_as_edflib_does) {
  test::temp_dir dir;
  edf_contents c;
  c.signals.push_back(random_signal("EEG A", 64, 4, 1, -100, 100, -32768, 32767));
  c.annotations.push_back({0, ticks_per_second, "x"});
  write_edf(dir / "a.edf", c);
  // Blank the "EDF+C" of the reserved field: an EDF file, as older tools
  // write them, whose second signal is called "EDF Annotations".
  {
    std::fstream f{dir / "a.edf", std::ios::binary | std::ios::in | std::ios::out};
    f.seekp(192);
    f << std::string(44, ' ');
  }
  edf_header h = read_edf_header(dir / "a.edf", false);
  ASSERT_EQ(h.signals.size(), 2u);
  EXPECT_EQ(h.signals[0].label, "EEG A");
  EXPECT_EQ(h.signals[1].label, "EDF Annotations");
  // The data signal reads as edflib reads it.
  edf_file f{dir / "a.edf", false};
  std::vector<float> x(64);
  f.read(std::vector<std::uint16_t>{0}, 0, 64, x.data());
  EXPECT_EQ(x, edflib_read(dir / "a.edf", 0, 0, 64));
}

TEST(edf_file, running_out_of_descriptors_is_said_so) {
  test::temp_dir dir;
  write_edf(dir / "a.edf", mixed_file());
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> held;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
    held.push_back(fd);  // every descriptor the limit allows
  auto problem = open_error(dir / "a.edf");
  for (int fd : held)
    ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_NE(problem.find("Too many open files"), std::string::npos) << problem;
  EXPECT_NE(problem.find("ulimit -n"), std::string::npos) << problem;
}

TEST(edf_file, format_seconds_prints_ticks) {
  EXPECT_EQ(format_seconds(30 * ticks_per_second), "30 s");
  EXPECT_EQ(format_seconds(125 * ticks_per_second / 10), "12.5 s");
  EXPECT_EQ(format_seconds(1), "0.0000001 s");
}

}  // namespace
}  // namespace lockstep::signals
