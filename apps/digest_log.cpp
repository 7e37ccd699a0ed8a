#include "digest_log.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "lockstep/messages/errors.hpp"
#include "lockstep/runtime/digest.hpp"

namespace lockstep::cli {

namespace {

namespace fs = std::filesystem;

// Buffered lines are written in pieces of about this size.
constexpr std::size_t flush_bytes = 64 * 1024;

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw error(errc::invalid_config, "--digests " + path + ": " + why);
}

// `path` with every symlink on its last component followed, so that a link
// is written through (its target replaced), never replaced itself. A
// dangling link names the file to create.
std::string follow_links(const std::string& path) {
  fs::path p{path};
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec)))
      return p.string();
    auto next = fs::read_symlink(p, ec);
    if (ec)
      refuse(path, "cannot be read as a link (" + ec.message() + ")");
    p = next.is_absolute() ? next : p.parent_path() / next;
  }
  refuse(path, "is a link in a loop of links");
}

}  // namespace

digest_log::digest_log(const std::string& path, const std::string& resume) : path_(path) {
  if (path_.empty())
    return;
  if (path_ == "-") {
    fd_ = STDOUT_FILENO;
    direct_ = true;
    return;
  }
  target_ = follow_links(path_);
  struct stat st {};
  bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && !resume.empty()) {
    struct stat rs {};
    if (::stat(resume.c_str(), &rs) == 0 && rs.st_dev == st.st_dev && rs.st_ino == st.st_ino)
      refuse(path_,
             "is the checkpoint --resume reads (" + resume + "); the digests would overwrite it");
  }
  if (exists && S_ISDIR(st.st_mode))
    refuse(path_, "is a directory");
  if (exists && !S_ISREG(st.st_mode)) {
    // A FIFO, a device, a socket: written directly, never renamed over (a
    // rename would replace /dev/null with a regular file). A FIFO blocks
    // here until it has a reader, as `> fifo` does.
    fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0)
      refuse(path_, std::string{"cannot be opened for writing ("} + std::strerror(errno) + ")");
    direct_ = true;
    return;
  }
  // A name no other run has, created exclusively, beside the target so the
  // rename stays within one file system. Checked now, before any batch.
  tmp_ = target_ + ".tmp.XXXXXX";
  fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
  if (fd_ < 0) {
    int err = errno;
    tmp_.clear();
    refuse(path_, std::string{"cannot be written ("} + std::strerror(err) + ")");
  }
  ::fchmod(fd_, exists ? (st.st_mode & 07777) : 0644);
}

digest_log::~digest_log() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO)
    ::close(fd_);
  discard();
}

void digest_log::discard() noexcept {
  if (!tmp_.empty())
    ::unlink(tmp_.c_str());
}

void digest_log::io_failed(const char* what, int err) {
  write_failed_ = true;
  throw error(errc::io_error, "--digests " + path_ + ": " + what + " (" + std::strerror(err) + ")");
}

void digest_log::write(std::uint64_t index, const std::vector<char>& bytes,
                       const std::string& checkpoint) {
  if (broken_pipe_ || write_failed_)
    return;
  fmt::format_to(std::back_inserter(pending_), "{{\"index\":{},\"digest\":\"{}\",\"state\":{}}}\n",
                 index, digest_hex(bytes), checkpoint);
  ++lines_;
  // A stream's reader sees each line at once; a file is written in pieces.
  if (direct_ || pending_.size() >= flush_bytes)
    flush();
}

// Writes the buffered lines; pending_ only ever holds whole lines.
void digest_log::flush() {
  std::size_t done = 0;
  while (done < pending_.size()) {
    auto n = ::write(fd_, pending_.data() + done, pending_.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EPIPE && direct_) {
      broken_pipe_ = true;  // the reader is gone: the clean end of a stream
      pending_.clear();
      return;
    }
    if (n <= 0)
      io_failed("cannot be written", n < 0 ? errno : ENOSPC);
    done += static_cast<std::size_t>(n);
  }
  pending_.clear();
}

void digest_log::commit(bool failed) {
  if (!enabled() || write_failed_)
    return;
  if (direct_) {
    flush();
    return;
  }
  if (failed && lines_ == 0)
    return;
  flush();
  // The rename must not publish a file whose bytes are not on disk yet.
  if (::fsync(fd_) != 0)
    io_failed("cannot be written to disk", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0)
    io_failed("cannot be written", errno);
  if (::rename(tmp_.c_str(), target_.c_str()) != 0)
    io_failed("cannot be replaced", errno);
  tmp_.clear();
  auto dir = fs::path{target_}.parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the rename itself, on disk
    ::close(dfd);
  }
}

}  // namespace lockstep::cli
