// Outputs from a node on the same host, through shared memory: the socket
// carries only where each one lies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lockstep/detail/box.hpp"
#include "lockstep/detail/output_codec.hpp"

namespace lockstep::detail {

/// A POSIX shared-memory segment (shm_open, mmap). The batcher creates one
/// per node under a random name, with a random nonce in its first bytes, and
/// sends name and nonce in the handshake; a node that opens the name and
/// finds the nonce shares the host, and so the memory. The creator unlinks
/// the name once the node has answered: from then on only the two mappings
/// keep it, and it is gone when both are.
class shm_segment {
 public:
  /// Reserves `bytes` of memory for it up front (posix_fallocate), so a full
  /// /dev/shm fails here, with the reason, and never later with SIGBUS.
  /// Throws lockstep::error(io_error).
  static std::shared_ptr<shm_segment> create(std::size_t bytes);
  /// Throws lockstep::error(io_error) when the name is not there, the size is
  /// not `bytes` or the nonce differs: the creator is on another host.
  static std::shared_ptr<shm_segment> open(const std::string& name, const std::string& nonce,
                                           std::size_t bytes);

  shm_segment(const shm_segment&) = delete;
  shm_segment& operator=(const shm_segment&) = delete;
  ~shm_segment();

  const std::string& name() const { return name_; }
  const std::string& nonce() const { return nonce_; }
  std::size_t size() const { return size_; }
  char* base() const { return base_; }
  /// Removes the name; the mappings stay. Idempotent.
  void unlink();

  /// The segment is split evenly between a node's `workers` remote workers:
  /// where region `i` begins and how many bytes it has, both multiples of 64.
  struct region {
    std::size_t offset = 0;
    std::size_t size = 0;
  };
  region region_of(std::size_t workers, std::size_t i) const;

 private:
  shm_segment(std::string name, std::string nonce, char* base, std::size_t size, bool owner);

  std::string name_;
  std::string nonce_;
  char* base_;
  std::size_t size_;
  bool named_;  ///< created here and not unlinked yet
};

/// Where an output lies in a ring: `pos` counts bytes ever reserved in it,
/// so `pos % capacity` is the offset; `size` bytes long.
struct shm_slot {
  std::uint64_t pos = 0;
  std::uint64_t size = 0;
};

/// One region as a ring of serialized outputs, written by one remote worker
/// and read, in the order written, by its one remote proxy (the socket keeps
/// the order of their messages). The reader frees by moving the ring's tail,
/// an atomic in the region's first 64 bytes; the writer alone knows the head.
/// A record never wraps: one that does not fit before the end starts again
/// at the beginning, and so does an output of up to 4 MiB written when all
/// before it were read.
class shm_ring {
 public:
  shm_ring(std::shared_ptr<shm_segment> segment, shm_segment::region region);

  /// Writer: `output` serialized by `codec` into the ring, or nothing when
  /// the ring has no room for it now (the caller sends it inline instead).
  std::optional<shm_slot> put(const output_codec& codec, const box& output);

  /// Reader: the output at `slot`, read by `codec` into its receive pool,
  /// and its bytes freed. Throws lockstep::error(io_error) for a slot that
  /// lies outside the ring or bytes that do not decode; the bytes are freed
  /// all the same.
  box take(const output_codec& codec, const shm_slot& slot);
  /// Reader: frees the bytes at `slot` unread (a stale result).
  void release(const shm_slot& slot);

  std::size_t capacity() const { return capacity_; }

 private:
  std::shared_ptr<shm_segment> segment_;
  char* data_;
  std::size_t capacity_;
  std::uint64_t head_ = 0;   ///< the writer's
  std::uint64_t start_ = 0;  ///< nothing before it is unread (the writer's)
};

}  // namespace lockstep::detail
