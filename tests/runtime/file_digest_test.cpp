// file_digest: every byte counts, and a cached digest is never stale.
#include "lockstep/runtime/file_digest.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>
#include <fstream>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "lockstep/messages/errors.hpp"
#include "temp_dir.hpp"

namespace lockstep {
namespace {

namespace fs = std::filesystem;

// Points the cache at a directory of the test's own for its lifetime.
class cache_at {
 public:
  explicit cache_at(const fs::path& dir) { ::setenv("LOCKSTEP_CACHE_DIR", dir.c_str(), 1); }
  ~cache_at() { ::setenv("LOCKSTEP_CACHE_DIR", "off", 1); }
};

void write(const fs::path& file, const std::string& bytes) {
  std::ofstream{file, std::ios::binary | std::ios::trunc} << bytes;
}

// Overwrites one byte in place: the name, size and (restored) modification
// time stay, as a careless copy or a regenerated file would leave them.
void poke(const fs::path& file, std::size_t at, char byte) {
  auto mtime = fs::last_write_time(file);
  {
    std::fstream f{file, std::ios::binary | std::ios::in | std::ios::out};
    f.seekp(static_cast<std::streamoff>(at));
    f.put(byte);
  }
  fs::last_write_time(file, mtime);
}

// Waits until `file` last changed long enough ago to be cached.
void settle(const fs::path& file) {
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  auto changed = std::chrono::system_clock::time_point{std::chrono::duration_cast<
    std::chrono::system_clock::duration>(std::chrono::seconds{st.st_ctim.tv_sec}
                                         + std::chrono::nanoseconds{st.st_ctim.tv_nsec})};
  while (std::chrono::system_clock::now() < changed + std::chrono::milliseconds{200})
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
}

TEST(file_digest, every_byte_changes_it_and_equal_bytes_agree) {
  test::temp_dir dir;
  std::string bytes(9u << 20, 'x');  // three blocks, the last one short
  write(dir / "a", bytes);
  write(dir / "b", bytes);
  auto a = file_digest(dir / "a");
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(file_digest(dir / "b"), a);
  poke(dir / "b", bytes.size() - 1, 'y');
  EXPECT_NE(file_digest(dir / "b"), a);
  write(dir / "c", bytes + "x");
  EXPECT_NE(file_digest(dir / "c"), a);
  write(dir / "empty", "");
  EXPECT_EQ(file_digest(dir / "empty").size(), 16u);
}

TEST(file_digest, a_cached_digest_is_used_until_the_file_changes_in_any_way) {
  test::temp_dir dir;
  cache_at cache{dir / "cache"};
  write(dir / "data", std::string(1000, 'a'));
  auto racy = file_digest(dir / "data");  // just written: not cached
  EXPECT_FALSE(fs::exists(dir / "cache" / "file-digests"));
  settle(dir / "data");
  auto first = file_digest(dir / "data");
  EXPECT_EQ(first, racy);
  ASSERT_TRUE(fs::exists(dir / "cache" / "file-digests"));
  ASSERT_EQ(std::distance(fs::directory_iterator{dir / "cache" / "file-digests"},
                          fs::directory_iterator{}),
            1);
  // The entry is what is read back: a forged digest under the right key is
  // returned, which shows that the file was not hashed again...
  auto entry = fs::directory_iterator{dir / "cache" / "file-digests"}->path();
  std::string key;
  std::getline(std::ifstream{entry}, key);
  write(entry, key + "\n0123456789abcdef\n");
  EXPECT_EQ(file_digest(dir / "data"), "0123456789abcdef");
  // ...and a change of one byte, keeping name, size and modification time,
  // is hashed again all the same.
  poke(dir / "data", 500, 'b');
  settle(dir / "data");
  auto changed = file_digest(dir / "data");
  EXPECT_NE(changed, "0123456789abcdef");
  EXPECT_NE(changed, first);
  ::setenv("LOCKSTEP_CACHE_DIR", "off", 1);
  EXPECT_EQ(file_digest(dir / "data"), changed);
}

TEST(file_digest, an_unusable_cache_costs_time_not_correctness) {
  test::temp_dir dir;
  write(dir / "not-a-dir", "");
  cache_at cache{dir / "not-a-dir"};
  write(dir / "data", "abc");
  auto d = file_digest(dir / "data");
  ::setenv("LOCKSTEP_CACHE_DIR", "off", 1);
  EXPECT_EQ(file_digest(dir / "data"), d);
}

TEST(file_digest, an_unreadable_file_is_named) {
  test::temp_dir dir;
  try {
    file_digest(dir / "missing.edf");
    ADD_FAILURE() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), errc::invalid_dataset);
    EXPECT_NE(std::string{e.what()}.find("missing.edf"), std::string::npos);
  }
}

TEST(file_digest, the_cache_follows_the_environment) {
  ::setenv("LOCKSTEP_CACHE_DIR", "/x/y", 1);
  EXPECT_EQ(file_digest_cache(), fs::path{"/x/y"});
  ::setenv("LOCKSTEP_CACHE_DIR", "off", 1);
  EXPECT_TRUE(file_digest_cache().empty());
}

}  // namespace
}  // namespace lockstep
