#include "lockstep/runtime/file_digest.hpp"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "lockstep/runtime/checkpoint.hpp"
#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/digest.hpp"

namespace lockstep {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t block = 4u << 20;

[[noreturn]] void unreadable(const fs::path& file, int err) {
  throw error(errc::invalid_dataset, file.string() + ": cannot be read (" + std::strerror(err) + ")");
}

// What identifies one version of a file's bytes.
std::string key_of(const struct stat& st) {
  return fmt::format("{} {} {} {}.{:09} {}.{:09}", st.st_dev, st.st_ino, st.st_size,
                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

bool same_version(const struct stat& a, const struct stat& b) {
  return key_of(a) == key_of(b);
}

// Within this of the start of hashing, a change may share its timestamp
// with the next one.
constexpr auto racy_window = std::chrono::milliseconds{100};

bool recently_changed(const struct stat& st, std::chrono::system_clock::time_point now) {
  auto as_time = [](const timespec& t) {
    return std::chrono::system_clock::time_point{std::chrono::duration_cast<
      std::chrono::system_clock::duration>(std::chrono::seconds{t.tv_sec} + std::chrono::nanoseconds{t.tv_nsec})};
  };
  return as_time(st.st_ctim) + racy_window > now || as_time(st.st_mtim) + racy_window > now;
}

std::string hash(int fd, const fs::path& file, std::uint64_t size) {
  std::vector<char> buffer(block);
  std::vector<std::uint64_t> blocks;
  for (;;) {
    std::size_t filled = 0;
    while (filled < block) {
      auto n = ::read(fd, buffer.data() + filled, block - filled);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        unreadable(file, errno);
      if (n == 0)
        break;
      filled += static_cast<std::size_t>(n);
    }
    if (filled == 0)
      break;
    blocks.push_back(xxh64(buffer.data(), filled));
    if (filled < block)
      break;
  }
  return fmt::format("{:016x}", xxh64(blocks.data(), blocks.size() * sizeof(std::uint64_t), size));
}

// One cache entry per file, named after its absolute path: "KEY\nDIGEST\n".
fs::path entry_of(const fs::path& cache, const fs::path& file) {
  std::error_code ec;
  auto absolute = fs::absolute(file, ec);
  auto text = (ec ? file : absolute).lexically_normal().string();
  return cache / "file-digests" / fmt::format("{:016x}", xxh64(text.data(), text.size()));
}

std::string cached(const fs::path& entry, const std::string& key) {
  std::ifstream in{entry};
  std::string saved_key, digest;
  if (!std::getline(in, saved_key) || !std::getline(in, digest) || saved_key != key
      || digest.size() != 16)
    return {};
  return digest;
}

void remember(const fs::path& entry, const std::string& key, const std::string& digest) {
  std::error_code ec;
  fs::create_directories(entry.parent_path(), ec);
  try {
    detail::write_file_atomically(entry.string(), key + "\n" + digest + "\n");
  } catch (const error&) {
    // A cache that cannot be written costs time, not correctness.
  }
}

}  // namespace

fs::path file_digest_cache() {
  if (auto* dir = std::getenv("LOCKSTEP_CACHE_DIR"); dir && *dir)
    return std::string_view{dir} == "off" ? fs::path{} : fs::path{dir};
  if (auto* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path{xdg} / "lockstep";
  if (auto* home = std::getenv("HOME"); home && *home)
    return fs::path{home} / ".cache" / "lockstep";
  return {};
}

std::string file_digest(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    unreadable(file, errno);
  struct stat before {};
  if (::fstat(fd, &before) != 0) {
    int err = errno;
    ::close(fd);
    unreadable(file, err);
  }
  auto key = key_of(before);
  auto cache = file_digest_cache();
  auto entry = cache.empty() ? fs::path{} : entry_of(cache, file);
  if (!entry.empty())
    if (auto digest = cached(entry, key); !digest.empty()) {
      ::close(fd);
      return digest;
    }
  auto started = std::chrono::system_clock::now();
  std::string digest;
  try {
    digest = hash(fd, file, static_cast<std::uint64_t>(before.st_size));
  } catch (...) {
    ::close(fd);
    throw;
  }
  struct stat after {};
  bool unchanged = ::fstat(fd, &after) == 0 && same_version(before, after);
  ::close(fd);
  // A file written while it was hashed is not remembered; nor is one changed
  // just before, as another write within the file system's timestamp
  // granularity (a few ms) would leave the key as it is.
  if (!entry.empty() && unchanged && !recently_changed(before, started))
    remember(entry, key, digest);
  return digest;
}

}  // namespace lockstep
