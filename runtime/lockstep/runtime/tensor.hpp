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


namespace lockstep {

/// std::allocator, except that resize() and the size constructor leave new
/// elements default-initialized (for floats: unwritten) instead of zeroed, so
/// a source fills a fresh megabyte once rather than twice.
template <class T>
struct default_init_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = default_init_allocator<U>;
  };
  using std::allocator<T>::allocator;

  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
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

  std::vector<std::uint64_t> shape;
  std::vector<T, default_init_allocator<T>> values;

  /// The element count `shape` describes.
  std::uint64_t size() const noexcept {
    std::uint64_t n = 1;
    for (auto d : shape)
      n *= d;
    return n;
  }

  friend bool operator==(const tensor&, const tensor&) = default;
};

/// Through lockstep's serialization hook: the shape, then the element
/// count and the raw bytes of `values` (a count larger than the input holds
/// is refused before anything is allocated).
template <class Archive, class T>
void serialize(Archive& ar, tensor<T>& x) {
  ar(x.shape);
  std::uint64_t n = x.values.size();
  ar(n);
  if constexpr (Archive::loading) {
    if (n > ar.remaining() / sizeof(T))
      ar.get_bytes(nullptr, ar.remaining() + 1);  // fails as a short read, naming the sizes
    x.values.resize(n);
    if (n > 0)
      ar.get_bytes(x.values.data(), n * sizeof(T));
  } else if (n > 0) {
    ar.put_bytes(x.values.data(), n * sizeof(T));
  }
}

}  // namespace lockstep
