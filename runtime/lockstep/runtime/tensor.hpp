// A dense row-major array that crosses to nodes byte for byte. API.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "lockstep/runtime/output_pool.hpp"

namespace lockstep {

/// std::allocator, except that:
/// - resize() and the size constructor leave new elements default-initialized
///   (for floats: unwritten) instead of zeroed, so a source fills a fresh
///   megabyte once rather than twice;
/// - it may carry an output_pool (pooled_values below), from which it takes
///   and to which it returns its blocks. Without one (the default, and what a
///   deserialized tensor has) it is plain new and delete.
///
/// The pool travels with the memory: moving or swapping a vector moves its
/// allocator too (O(1), the block goes back where it came from), while a
/// copy is plain memory of its own, as a copy the client keeps is not the
/// source's to recycle.
template <class T>
class default_init_allocator {
 public:
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using propagate_on_container_copy_assignment = std::false_type;
  using is_always_equal = std::false_type;
  template <class U>
  struct rebind {
    using other = default_init_allocator<U>;
  };

  default_init_allocator() noexcept = default;
  explicit default_init_allocator(std::shared_ptr<output_pool> pool) noexcept
      : pool_(std::move(pool)) {}
  template <class U>
  default_init_allocator(const default_init_allocator<U>& other) noexcept : pool_(other.pool()) {}

  T* allocate(std::size_t n) {
    if (!pooled())
      return std::allocator<T>{}.allocate(n);
    if (n > SIZE_MAX / sizeof(T))
      throw std::bad_array_new_length{};
    return static_cast<T*>(pool_->allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (!pooled())
      std::allocator<T>{}.deallocate(p, n);
    else
      pool_->deallocate(p, n * sizeof(T));
  }

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  /// A copied vector gets a plain allocator (see above).
  default_init_allocator select_on_container_copy_construction() const noexcept { return {}; }

  /// The pool, or null.
  const std::shared_ptr<output_pool>& pool() const noexcept { return pool_; }

  /// Equal when either may free what the other allocated: the same pool, or none.
  friend bool operator==(const default_init_allocator& a,
                         const default_init_allocator& b) noexcept {
    return a.pool_ == b.pool_;
  }

 private:
  // The pool hands out blocks aligned as ::operator new's; a type needing
  // more is never pooled.
  bool pooled() const noexcept {
    return pool_ != nullptr && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  }

  std::shared_ptr<output_pool> pool_;
};

/// `values` in row-major order under `shape` (e.g. {batch, channel, sample}).
///
/// CAF 0.17 serializes floats through a portable encoding that corrupts NaN
/// and infinities, and element by element; a tensor is written as its element
/// count followed by the raw bytes of `values` instead, so a float tensor
/// arrives bit-identical and a megabyte costs one copy. The bytes are in host
/// order: lockstep supports little-endian hosts only.
template <class T>
struct tensor {
  static_assert(std::is_trivially_copyable_v<T>);
  static_assert(std::endian::native == std::endian::little);

  using values_type = std::vector<T, default_init_allocator<T>>;

  std::vector<std::uint64_t> shape;
  values_type values;

  /// The element count `shape` describes.
  std::uint64_t size() const noexcept {
    std::uint64_t n = 1;
    for (auto d : shape)
      n *= d;
    return n;
  }

  friend bool operator==(const tensor&, const tensor&) = default;
};

/// `n` default-initialized elements in a block from `pool` (or, with a null
/// pool, from new), which returns to the pool when the vector is freed:
///
///     out.x.values = pooled_values<float>(pool_, n);
///
/// docs/output-memory.md says when this pays and what the pool keeps.
template <class T>
typename tensor<T>::values_type pooled_values(std::shared_ptr<output_pool> pool, std::size_t n) {
  typename tensor<T>::values_type v{default_init_allocator<T>{std::move(pool)}};
  v.reserve(n);  // exactly n, so every block of a batch shape has one size
  v.resize(n);
  return v;
}

/// Through lockstep's serialization hook: the shape, then the element
/// count and the raw bytes of `values` (a count larger than the input holds
/// is refused before anything is allocated). Read where the reader carries a
/// pool (outputs from nodes), `values` takes its block from that pool.
template <class Archive, class T>
void serialize(Archive& ar, tensor<T>& x) {
  ar(x.shape);
  std::uint64_t n = x.values.size();
  ar(n);
  if constexpr (Archive::loading) {
    if (n > ar.remaining() / sizeof(T))
      ar.get_bytes(nullptr, ar.remaining() + 1);  // fails as a short read, naming the sizes
    if (ar.pool() && n > 0)
      x.values = pooled_values<T>(ar.pool(), n);
    else
      x.values.resize(n);
    if (n > 0)
      ar.get_bytes(x.values.data(), n * sizeof(T));
  } else if (n > 0) {
    ar.put_bytes(x.values.data(), n * sizeof(T));
  }
}

}  // namespace lockstep
