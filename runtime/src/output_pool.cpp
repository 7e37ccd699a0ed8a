#include "lockstep/runtime/output_pool.hpp"

#include <algorithm>
#include <new>

namespace lockstep {

namespace {

// An idle block holds the list's link, so every block is at least that big.
// allocate and deallocate round alike, so a block is keyed by what was made.
std::size_t block_bytes(std::size_t bytes) noexcept {
  return std::max(bytes, sizeof(void*));
}

}  // namespace

output_pool::~output_pool() {
  for (auto& c : classes_)
    while (c.head != nullptr) {
      auto* next = c.head->next;
      ::operator delete(c.head, c.bytes);
      c.head = next;
    }
}

void* output_pool::allocate(std::size_t bytes) {
  bytes = block_bytes(bytes);
  {
    std::lock_guard lock{mutex_};
    for (auto& c : classes_)
      if (c.bytes == bytes && c.head != nullptr) {
        auto* b = c.head;
        c.head = b->next;
        counts_.idle_bytes -= bytes;
        --counts_.idle_blocks;
        ++counts_.reused;
        return b;
      }
    ++counts_.made;
  }
  // Outside the lock: the system's allocator may fault pages in or map.
  return ::operator new(bytes);
}

void output_pool::deallocate(void* p, std::size_t bytes) noexcept {
  if (p == nullptr)
    return;
  bytes = block_bytes(bytes);
  {
    std::lock_guard lock{mutex_};
    if (counts_.idle_bytes + bytes <= max_idle_bytes_) {
      // This size's class, else a class with no idle block left to reuse.
      size_class* slot = nullptr;
      for (auto& c : classes_)
        if (c.bytes == bytes) {
          slot = &c;
          break;
        } else if (slot == nullptr && c.head == nullptr) {
          slot = &c;
        }
      if (slot != nullptr) {
        slot->bytes = bytes;
        auto* b = ::new (p) idle_block{slot->head};
        slot->head = b;
        counts_.idle_bytes += bytes;
        ++counts_.idle_blocks;
        ++counts_.kept;
        return;
      }
    }
    ++counts_.dropped;
  }
  ::operator delete(p, bytes);
}

output_pool::counts output_pool::stats() const {
  std::lock_guard lock{mutex_};
  return counts_;
}

}  // namespace lockstep
