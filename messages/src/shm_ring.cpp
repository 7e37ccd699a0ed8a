#include "lockstep/detail/shm_ring.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>

#include <caf/serializer_impl.hpp>

#include "caf_archive.hpp"

namespace lockstep::detail {

namespace {

constexpr std::size_t header_bytes = 64;  // the segment's: magic, nonce
constexpr std::size_t nonce_bytes = 16;
constexpr char magic[8] = {'l', 'o', 'c', 'k', 's', 't', 'e', 'p'};
// Outputs up to this size go back to the ring's beginning when it is empty:
// between the sizes measured, 1 MB (2x faster for it) and 8 MB (1.4x slower).
constexpr std::size_t restart_limit = std::size_t{4} << 20;

[[noreturn]] void fail(const std::string& what) {
  throw error(errc::io_error, what + ": " + std::strerror(errno));
}

std::string random_bytes(std::size_t n) {
  std::random_device rd;
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rd());
  return s;
}

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// Populated now, while connecting: a page first touched during a run costs
// a fault on each side, several microseconds apiece on some kernels.
char* map(int fd, std::size_t bytes, const std::string& name) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED)
    fail("cannot map shared memory " + name);
  return static_cast<char*>(p);
}

// Where the ring's tail lives: the region's first cache line, apart from
// the records so the writer's stores do not share a line with it.
std::atomic<std::uint64_t>& tail_of(char* region) {
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
  return *reinterpret_cast<std::atomic<std::uint64_t>*>(region);
}

// A byte container for CAF's serializer_impl that writes into `base` up to
// `capacity` bytes and throws past it; with no base, it only counts.
struct span_sink {
  using value_type = char;
  char* base = nullptr;
  std::size_t capacity = 0;
  std::size_t used = 0;

  std::size_t size() const { return used; }
  char* data() { return base; }
  char* end() { return base + used; }
  void grow(std::size_t n) {
    if (n > capacity - used)
      throw std::length_error{"the output does not fit"};
  }
  void insert(char*, const char* first, const char* last) {
    auto n = static_cast<std::size_t>(last - first);
    grow(n);
    if (base)
      std::memcpy(base + used, first, n);
    used += n;
  }
  void insert(char*, std::size_t n, char c) {
    grow(n);
    if (base)
      std::memset(base + used, c, n);
    used += n;
  }
};

std::size_t write(const output_codec& codec, const box& output, span_sink& sink) {
  caf::serializer_impl<span_sink> f{nullptr, sink};
  caf_writer w{f};
  codec.save(w, output);
  return sink.used;
}

}  // namespace

shm_segment::shm_segment(std::string name, std::string nonce, char* base, std::size_t size,
                         bool owner)
  : name_(std::move(name)), nonce_(std::move(nonce)), base_(base), size_(size), named_(owner) {}

shm_segment::~shm_segment() {
  unlink();
  ::munmap(base_, size_);
}

void shm_segment::unlink() {
  if (named_)
    ::shm_unlink(name_.c_str());
  named_ = false;
}

std::shared_ptr<shm_segment> shm_segment::create(std::size_t bytes) {
  if (bytes < header_bytes + 2 * header_bytes)
    throw error(errc::invalid_config, "a shared-memory segment needs at least 192 bytes");
  auto nonce = random_bytes(nonce_bytes);
  auto name = "/lockstep-" + std::to_string(::getpid()) + "-" + hex(random_bytes(8));
  int fd = ::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    fail("cannot create shared memory " + name);
  if (int e = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)); e != 0) {
    ::close(fd);
    ::shm_unlink(name.c_str());
    errno = e;
    fail("cannot reserve " + std::to_string(bytes) + " bytes of shared memory (/dev/shm)");
  }
  char* base = nullptr;
  try {
    base = map(fd, bytes, name);
  } catch (...) {
    ::shm_unlink(name.c_str());
    throw;
  }
  std::memcpy(base, magic, sizeof magic);
  std::memcpy(base + sizeof magic, nonce.data(), nonce_bytes);
  return std::shared_ptr<shm_segment>{new shm_segment{name, nonce, base, bytes, true}};
}

std::shared_ptr<shm_segment> shm_segment::open(const std::string& name, const std::string& nonce,
                                               std::size_t bytes) {
  if (name.rfind("/lockstep-", 0) != 0 || name.find('/', 1) != std::string::npos)
    throw error(errc::io_error, "not a lockstep shared-memory name: " + name);
  int fd = ::shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0)
    fail("cannot open shared memory " + name);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) != bytes) {
    ::close(fd);
    throw error(errc::io_error, "shared memory " + name + " is not " + std::to_string(bytes)
                                  + " bytes long");
  }
  char* base = map(fd, bytes, name);
  if (std::memcmp(base, magic, sizeof magic) != 0 || nonce.size() != nonce_bytes
      || std::memcmp(base + sizeof magic, nonce.data(), nonce_bytes) != 0) {
    ::munmap(base, bytes);
    throw error(errc::io_error, "shared memory " + name + " belongs to another run");
  }
  return std::shared_ptr<shm_segment>{new shm_segment{name, nonce, base, bytes, false}};
}

shm_segment::region shm_segment::region_of(std::size_t workers, std::size_t i) const {
  auto each = (size_ - header_bytes) / workers / 64 * 64;
  return {header_bytes + i * each, each};
}

shm_ring::shm_ring(std::shared_ptr<shm_segment> segment, shm_segment::region region)
  : segment_(std::move(segment)),
    data_(segment_->base() + region.offset + header_bytes),
    capacity_(region.size - header_bytes) {
  if (region.size < 2 * header_bytes || region.offset + region.size > segment_->size())
    throw error(errc::invalid_config, "a shared-memory region lies outside its segment");
}

std::optional<shm_slot> shm_ring::put(const output_codec& codec, const box& output) {
  span_sink count{nullptr, capacity_, 0};
  std::size_t bytes = 0;
  try {
    bytes = write(codec, output, count);
  } catch (const std::length_error&) {
    return std::nullopt;  // larger than the whole ring
  }
  if (bytes == 0)
    return std::nullopt;  // nothing to place (a slot is never empty)
  // A reader that claims more than was written frees no more than all of it.
  auto tail = std::min(tail_of(data_ - header_bytes).load(std::memory_order_acquire), head_);
  // Everything written has been read: a small output starts again at the
  // ring's beginning, so a reader that keeps up reuses the same cache-warm
  // megabytes instead of streaming the whole ring through memory. A large
  // one gains nothing from the caches and loses to the two processes taking
  // the same lines from each other (docs/performance.md).
  if (tail == head_ && head_ % capacity_ != 0 && bytes <= restart_limit) {
    head_ += capacity_ - head_ % capacity_;
    start_ = head_;
  }
  auto used = head_ - std::max(tail, start_);
  auto free = capacity_ - std::min<std::uint64_t>(used, capacity_);
  auto offset = head_ % capacity_;
  auto pad = offset + bytes > capacity_ ? capacity_ - offset : 0;
  if (pad + bytes > free)
    return std::nullopt;
  head_ += pad;
  shm_slot slot{head_, bytes};
  span_sink sink{data_ + head_ % capacity_, bytes, 0};
  write(codec, output, sink);
  head_ += bytes;
  return slot;
}

void shm_ring::release(const shm_slot& slot) {
  // Results come in the order they were written, so the end of this one
  // frees everything before it too; a late duplicate never moves it back.
  auto& tail = tail_of(data_ - header_bytes);
  auto end = slot.pos + slot.size;
  auto now = tail.load(std::memory_order_relaxed);
  if (end > now)
    tail.store(end, std::memory_order_release);
}

box shm_ring::take(const output_codec& codec, const shm_slot& slot) {
  auto offset = slot.pos % capacity_;
  if (slot.size == 0 || slot.size > capacity_ || offset + slot.size > capacity_)
    throw error(errc::io_error, "a node named bytes outside its shared-memory ring");
  struct freed {
    shm_ring& ring;
    const shm_slot& slot;
    ~freed() { ring.release(slot); }
  } guard{*this, slot};
  byte_reader r{data_ + offset, slot.size};
  r.set_pool(codec.receive_pool());
  auto value = codec.load(r);
  if (r.remaining() != 0)
    throw_left_over(r.remaining());
  return value;
}

}  // namespace lockstep::detail
