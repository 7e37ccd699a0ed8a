// A dense row-major array that crosses CAF's serializer byte for byte.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/meta/type_name.hpp>

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

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, tensor<T>& x) {
  // Serializers and deserializers have apply_raw; other inspectors (CAF's
  // to_string) see the values as a list.
  if constexpr (requires { f.apply_raw(std::size_t{}, static_cast<void*>(nullptr)); }) {
    std::uint64_t n = x.values.size();
    if (auto err = f(caf::meta::type_name("lockstep.tensor"), x.shape, n))
      return err;
    if constexpr (!Inspector::reads_state) {
      // A count larger than the input left fails as a short read instead of
      // allocating what the bytes claim.
      if constexpr (requires { f.remaining(); })
        if (n > f.remaining() / sizeof(T))
          return f.apply_raw(f.remaining() + 1, nullptr);
      x.values.resize(n);
    }
    if (n == 0)
      return f();
    return f.apply_raw(n * sizeof(T), x.values.data());
  } else {
    return f(caf::meta::type_name("lockstep.tensor"), x.shape, x.values);
  }
}

}  // namespace lockstep
