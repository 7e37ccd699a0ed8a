// `lockstep run --digests FILE`: one JSON line per batch, published whole.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lockstep::cli {

/// The digests file: JSON Lines, one per batch.
///
/// - FILE a regular file, or none yet (a symlink is followed to its target):
///   the lines go to a temporary file of its own beside the target,
///   FILE.tmp.XXXXXX (mkstemp: created exclusively, so two runs never share
///   one), renamed over the target when the run ends — also after a failed
///   batch or an interrupt, with every line written so far, each whole. A run
///   whose writes failed publishes nothing, and the old file stays.
/// - FILE "-" (stdout), a FIFO, a character device (/dev/null) or a socket:
///   written directly, line by line, never replaced. EPIPE there means the
///   reader is gone: broken_pipe() turns true and the run ends quietly.
/// - A directory, or a place no file can be created in, is refused when the
///   log is constructed, before any batch: lockstep::error(invalid_config).
///
/// Every write, the fsync and the close are checked: a failure throws
/// lockstep::error(io_error) naming FILE and the reason (e.g. "File too
/// large", "No space left on device").
class digest_log {
 public:
  /// `path` empty: disabled. `resume`: the checkpoint the run resumes from,
  /// which FILE must not be (compared by device and inode, so another path
  /// or a link to it is caught too).
  digest_log(const std::string& path, const std::string& resume);
  digest_log(const digest_log&) = delete;
  digest_log& operator=(const digest_log&) = delete;
  /// Removes an unpublished temporary file.
  ~digest_log();

  bool enabled() const { return !path_.empty(); }
  /// Digests go to stdout ("-"): the command prints its summary on stderr.
  bool to_stdout() const { return path_ == "-"; }
  /// The last write found the reader of a pipe gone (EPIPE).
  bool broken_pipe() const { return broken_pipe_; }

  /// One line: {"index":..,"digest":"..","state":<checkpoint>}. Throws
  /// lockstep::error(io_error) when a write fails.
  void write(std::uint64_t index, const std::vector<char>& bytes, const std::string& checkpoint);

  /// Ends the log: writes what is buffered, then publishes the file (renames
  /// the temporary file over the target). `failed`: the run failed; a failed
  /// run with no line publishes nothing. Throws lockstep::error(io_error).
  void commit(bool failed);

  /// Removes the temporary file, publishing nothing. Async-signal-safe: only
  /// unlink(2) on a name fixed at construction.
  void discard() noexcept;

 private:
  void flush();
  [[noreturn]] void io_failed(const char* what, int err);

  std::string path_;    ///< as given, for messages
  std::string target_;  ///< what is published: path_ with symlinks followed
  std::string tmp_;     ///< the temporary file; empty when written directly
  int fd_ = -1;
  bool direct_ = false;
  bool broken_pipe_ = false;
  bool write_failed_ = false;
  std::string pending_;  ///< whole lines not yet written
  std::uint64_t lines_ = 0;
};

}  // namespace lockstep::cli
