// Recycled memory for a source's outputs. API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace lockstep {

/// Blocks of memory that outlive the outputs they were made for, so the next
/// output of the same size reuses one instead of asking the system for fresh
/// pages. A fresh 2 MB block costs about 500 page faults on first touch
/// (several microseconds each on a container's kernel); a reused one costs
/// none. docs/output-memory.md says how a source opts in.
///
/// - Workers allocate and the client thread frees, at once: every call is
///   thread-safe. One mutex guards the whole pool and is held for a few
///   pointer moves only (no allocation, no system call under it), so it is
///   uncontended in practice and never sleeps a thread for long.
/// - Bounded: at most `max_idle_bytes` are kept idle. A block released beyond
///   the bound is freed at once, as a block of a size the pool has no room
///   for (it keeps `size_classes` distinct sizes).
/// - A block goes back only to allocations of exactly its size.
/// - Idle blocks are freed when the pool is destroyed, and only then. Pooled
///   tensors hold the pool by shared_ptr (tensor.hpp), so it lives as long as
///   the last of them.
///
/// The pool never makes memory peak higher: it makes a block only when none
/// of that size is idle, so with one size the blocks live plus idle never
/// exceed the most that were live at once.
class output_pool {
 public:
  /// Distinct block sizes kept at once; a source pools one or two.
  static constexpr std::size_t size_classes = 8;

  /// What the pool did, for tests and figures.
  struct counts {
    std::uint64_t reused = 0;   ///< allocations served by an idle block
    std::uint64_t made = 0;     ///< allocations that asked the system
    std::uint64_t kept = 0;     ///< releases that kept the block idle
    std::uint64_t dropped = 0;  ///< releases that freed it (bound or sizes full)
    std::size_t idle_bytes = 0;
    std::size_t idle_blocks = 0;
  };

  explicit output_pool(std::size_t max_idle_bytes) noexcept : max_idle_bytes_(max_idle_bytes) {}
  ~output_pool();
  output_pool(const output_pool&) = delete;
  output_pool& operator=(const output_pool&) = delete;

  /// `bytes` of memory aligned for any fundamental type (as ::operator new).
  void* allocate(std::size_t bytes);
  /// Returns a block from allocate(bytes) with the same `bytes`.
  void deallocate(void* p, std::size_t bytes) noexcept;

  std::size_t max_idle_bytes() const noexcept { return max_idle_bytes_; }
  counts stats() const;

 private:
  // Idle blocks of one size form a list threaded through their own first
  // bytes, so keeping a block allocates nothing.
  struct idle_block {
    idle_block* next;
  };
  struct size_class {
    std::size_t bytes = 0;  // 0: free slot
    idle_block* head = nullptr;
  };

  const std::size_t max_idle_bytes_;
  mutable std::mutex mutex_;
  std::array<size_class, size_classes> classes_{};
  counts counts_{};
};

}  // namespace lockstep
