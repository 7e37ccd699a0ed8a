#include "lockstep/runtime/checkpoint.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "lockstep/detail/fingerprint_diff.hpp"
#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep::detail {

namespace jf = json_fields;

namespace {

constexpr std::string_view format = "lockstep-state";
// Version 2 records the source's fingerprint; version 1 did not, and is
// read only when changes are accepted, as nothing in it can be checked.
constexpr std::uint64_t format_version = 2;
constexpr std::uint64_t unpinned_version = 1;
// A state file is small; anything much larger is not one.
constexpr std::size_t max_state_file = 16u << 20;

[[noreturn]] void io_failed(const std::string& what, int err) {
  throw error(errc::io_error, what + " (" + std::strerror(err) + ")");
}

// The fingerprint as it is stored: JSON where it is JSON, else a string.
boost::json::value fingerprint_value(const std::string& text) {
  std::error_code ec;
  auto v = boost::json::parse(text, ec);
  return ec ? boost::json::value(text) : v;
}

// How the saved fingerprint differs from the source's, in words; "" if not.
std::string fingerprint_change(const boost::json::object& obj, std::uint64_t version,
                               const checkpoint_owner& owner) {
  if (version == unpinned_version)
    return owner.fingerprint.empty()
             ? std::string{}
             : "the checkpoint was written by an older lockstep and records no fingerprint, "
               "so its data cannot be checked";
  auto* saved = obj.if_contains("fingerprint");
  if (!saved && owner.fingerprint.empty())
    return {};
  if (!saved)
    return "the checkpoint records no fingerprint; the source has one";
  if (owner.fingerprint.empty())
    return "the checkpoint records a fingerprint; the source has none";
  auto saved_text = boost::json::serialize(*saved);
  auto now_text = boost::json::serialize(fingerprint_value(owner.fingerprint));
  return fingerprint_difference(saved_text, now_text, "the checkpoint", "this run")
    .value_or(std::string{});
}

}  // namespace

std::string checkpoint_text(const checkpoint_owner& owner, std::uint64_t index,
                            to_json_fn to_json, const void* state) {
  boost::json::value s;
  to_json(state, s);
  boost::json::object out{
    {"format", format},
    {"version", format_version},
    {"source", owner.source},
    {"source_version", owner.version},
  };
  if (!owner.fingerprint.empty())
    out["fingerprint"] = fingerprint_value(owner.fingerprint);
  out["index"] = index;
  out["state"] = std::move(s);
  return boost::json::serialize(out);
}

parsed_checkpoint parse_checkpoint(std::string_view text, std::string_view origin,
                                   const checkpoint_owner& owner, resume_options options,
                                   from_json_fn from_json, void* state) {
  std::string where{origin};
  std::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec)
    throw error(errc::invalid_state, where + ": not valid JSON (" + ec.message() + ")");
  if (!v.is_object() || !v.get_object().contains("format")
      || v.get_object().at("format") != boost::json::value(format))
    throw error(errc::invalid_state,
                where + ": not a lockstep state (expected an object with \"format\": \""
                  + std::string{format} + "\")");
  auto& obj = v.get_object();
  try {
    auto version = jf::uint64(jf::field(obj, "version", "checkpoint"), "version");
    if (version != format_version && version != unpinned_version)
      throw error(errc::version_mismatch, "format version " + std::to_string(version)
                                            + " is not supported; this build reads versions "
                                            + std::to_string(unpinned_version) + " and "
                                            + std::to_string(format_version));
    if (version == unpinned_version)
      jf::only_keys(obj, {"format", "version", "source", "source_version", "index", "state"},
                    "checkpoint");
    else
      jf::only_keys(obj,
                    {"format", "version", "source", "source_version", "fingerprint", "index",
                     "state"},
                    "checkpoint");
    auto source = jf::string(jf::field(obj, "source", "checkpoint"), "source");
    if (source != owner.source)
      throw error(errc::source_mismatch, "a state of source \"" + source + "\", not \""
                                           + std::string{owner.source} + "\"");
    auto sv = jf::uint64(jf::field(obj, "source_version", "checkpoint"), "source_version");
    if (sv != owner.version)
      throw error(errc::version_mismatch, "a \"" + source + "\" state of version "
                                            + std::to_string(sv) + "; this build reads version "
                                            + std::to_string(owner.version));
    parsed_checkpoint out;
    out.index = jf::uint64(jf::field(obj, "index", "checkpoint"), "index");
    try {
      from_json(jf::field(obj, "state", "checkpoint"), state);
    } catch (const error&) {
      throw;
    } catch (const std::exception& e) {
      throw error(errc::invalid_state, std::string{"state: "} + e.what());
    }
    out.changed = fingerprint_change(obj, version, owner);
    if (!out.changed.empty() && !options.accept_changes)
      throw error(errc::source_mismatch,
                  "the source differs from the one that saved this state: " + out.changed
                    + " (resume with accept_changes, --accept-changes on the command line, "
                      "if the change is intended)");
    return out;
  } catch (const error& e) {
    throw error(e.code(), where + ": " + e.what());
  }
}

void check_index(std::string_view origin, std::uint64_t index, std::optional<std::uint64_t> own) {
  if (own && *own != index)
    throw error(errc::invalid_state, std::string{origin} + ": its index is "
                                       + std::to_string(index) + " but its state stands at batch "
                                       + std::to_string(*own));
}

void write_file_atomically(const std::string& file, std::string_view text) {
  struct stat st {};
  bool exists = ::stat(file.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode))
    throw error(errc::io_error, file + ": is not a regular file; a checkpoint is only written "
                                       "over a regular file");
  auto tmp = file + ".XXXXXX";
  int fd = ::mkstemp(tmp.data());  // a name no other writer has
  if (fd < 0)
    io_failed(file + ": cannot be written", errno);
  ::fchmod(fd, exists ? (st.st_mode & 07777) : 0644);
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    io_failed(what, err);
  };
  for (std::size_t done = 0; done < text.size();) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      fail(file + ": cannot be written");
    done += static_cast<std::size_t>(n);
  }
  // The rename must not publish a file whose bytes are not on disk yet.
  if (::fsync(fd) != 0)
    fail(file + ": cannot be written to disk");
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    io_failed(file + ": cannot be written", err);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    io_failed(file + ": cannot be replaced", err);
  }
  auto dir = std::filesystem::path{file}.parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the rename itself, on disk
    ::close(dfd);
  }
}

std::string read_state_file(const std::string& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    throw error(errc::invalid_state, file + ": cannot be opened (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw error(errc::invalid_state, file + ": is not a regular file");
  }
  if (static_cast<std::size_t>(st.st_size) > max_state_file) {
    ::close(fd);
    throw error(errc::invalid_state, file + ": is " + std::to_string(st.st_size)
                                       + " bytes; a state file is at most "
                                       + std::to_string(max_state_file));
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(done);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw error(errc::invalid_state, file + ": is empty");
  return text;
}

}  // namespace lockstep::detail
