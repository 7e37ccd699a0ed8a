// How batches and outputs become bytes: lockstep's serialization hook. API.
//
// A type serializes if it is a built-in (arithmetic, enum, bool,
// std::string, std::vector, std::array, std::pair of serializable types) or
// provides, found by ADL, one function for both directions:
//
//     template <class Archive>
//     void serialize(Archive& ar, my_output& x) { ar(x.values, x.label); }
//
// `Archive` is lockstep::writer or lockstep::reader; `Archive::loading`
// tells them apart. Outputs need it for digests and remote nodes, batches for
// remote nodes; a batcher on local threads needs neither. The bytes are CAF's
// binary format, written by the library, so this header pulls in no CAF.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace lockstep {

class output_pool;  // lockstep/runtime/output_pool.hpp: a reader only carries one

/// Writes values; every call throws lockstep::error (io_error) on failure.
class writer {
 public:
  static constexpr bool loading = false;
  virtual ~writer() = default;

  virtual void put(std::int8_t x) = 0;
  virtual void put(std::uint8_t x) = 0;
  virtual void put(std::int16_t x) = 0;
  virtual void put(std::uint16_t x) = 0;
  virtual void put(std::int32_t x) = 0;
  virtual void put(std::uint32_t x) = 0;
  virtual void put(std::int64_t x) = 0;
  virtual void put(std::uint64_t x) = 0;
  virtual void put(float x) = 0;
  virtual void put(double x) = 0;
  virtual void put(const std::string& x) = 0;
  /// Opens a sequence of `n` elements.
  virtual void put_size(std::size_t n) = 0;
  /// `n` bytes as they are in memory (one copy, no per-element encoding).
  virtual void put_bytes(const void* data, std::size_t n) = 0;

  template <class... Ts>
  void operator()(Ts&... xs);
};

/// Reads what a writer wrote; every call throws lockstep::error (io_error)
/// on input that is short or malformed.
class reader {
 public:
  static constexpr bool loading = true;
  virtual ~reader() = default;

  virtual void get(std::int8_t& x) = 0;
  virtual void get(std::uint8_t& x) = 0;
  virtual void get(std::int16_t& x) = 0;
  virtual void get(std::uint16_t& x) = 0;
  virtual void get(std::int32_t& x) = 0;
  virtual void get(std::uint32_t& x) = 0;
  virtual void get(std::int64_t& x) = 0;
  virtual void get(std::uint64_t& x) = 0;
  virtual void get(float& x) = 0;
  virtual void get(double& x) = 0;
  virtual void get(std::string& x) = 0;
  /// The element count of a sequence; refuses one of more than
  /// `remaining() / min_element_bytes` elements, so a corrupt count cannot
  /// make the reader allocate what the input does not hold.
  virtual std::size_t get_size(std::size_t min_element_bytes = 1) = 0;
  virtual void get_bytes(void* data, std::size_t n) = 0;
  /// Bytes left in the input.
  virtual std::size_t remaining() const = 0;

  /// Recycled memory for what is read: a tensor, or a vector whose
  /// allocator takes a pool (tensor.hpp), takes its block from here. Set
  /// where outputs from nodes are read (the batcher's receive pool); null
  /// elsewhere, and then such values take fresh memory.
  const std::shared_ptr<output_pool>& pool() const noexcept { return pool_; }
  void set_pool(std::shared_ptr<output_pool> pool) noexcept { pool_ = std::move(pool); }

  template <class... Ts>
  void operator()(Ts&... xs);

 private:
  std::shared_ptr<output_pool> pool_;
};

namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_array : std::false_type {};
template <class T, std::size_t N>
struct is_array<std::array<T, N>> : std::true_type {};

template <class T>
struct is_pair : std::false_type {};
template <class A, class B>
struct is_pair<std::pair<A, B>> : std::true_type {};

template <std::size_t Size, bool Signed>
struct fixed_int;
template <>
struct fixed_int<1, true> {
  using type = std::int8_t;
};
template <>
struct fixed_int<1, false> {
  using type = std::uint8_t;
};
template <>
struct fixed_int<2, true> {
  using type = std::int16_t;
};
template <>
struct fixed_int<2, false> {
  using type = std::uint16_t;
};
template <>
struct fixed_int<4, true> {
  using type = std::int32_t;
};
template <>
struct fixed_int<4, false> {
  using type = std::uint32_t;
};
template <>
struct fixed_int<8, true> {
  using type = std::int64_t;
};
template <>
struct fixed_int<8, false> {
  using type = std::uint64_t;
};

/// One byte per element and no padding: written as a block.
template <class T>
constexpr bool is_byte_like = std::is_integral_v<T> && sizeof(T) == 1 && !std::is_same_v<T, bool>;

template <class Archive, class T>
void apply(Archive& ar, T& x);

template <class Archive, class T>
concept has_serialize = requires(Archive& ar, T& x) {
  serialize(ar, x);
};

template <class T>
consteval bool check_serializable() {
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T> || std::is_same_v<T, std::string>)
    return true;
  else if constexpr (is_vector<T>::value)
    return !std::is_same_v<typename T::value_type,
                           bool> && check_serializable<typename T::value_type>();
  else if constexpr (is_array<T>::value)
    return check_serializable<typename T::value_type>();
  else if constexpr (is_pair<T>::value)
    return check_serializable<typename T::first_type>()
           && check_serializable<typename T::second_type>();
  else
    return has_serialize<writer, T> && has_serialize<reader, T>;
}

/// The fewest bytes one element takes, to bound a sequence's count by the input.
template <class T>
constexpr std::size_t min_bytes = std::is_arithmetic_v<T> ? sizeof(T) : 1;

}  // namespace detail

/// True when T can go through a writer and back through a reader.
template <class T>
concept serializable = detail::check_serializable<T>();

namespace detail {

template <class Archive, class T>
void apply(Archive& ar, T& x) {
  constexpr bool load = Archive::loading;
  if constexpr (std::is_same_v<T, bool>) {
    std::uint8_t b = x ? 1 : 0;
    apply(ar, b);
    if constexpr (load)
      x = b != 0;
  } else if constexpr (std::is_integral_v<T>) {
    using fixed = typename fixed_int<sizeof(T), std::is_signed_v<T>>::type;
    if constexpr (load) {
      fixed v{};
      ar.get(v);
      x = static_cast<T>(v);
    } else {
      ar.put(static_cast<fixed>(x));
    }
  } else if constexpr (std::is_same_v<
                         T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::string>) {
    if constexpr (load)
      ar.get(x);
    else
      ar.put(x);
  } else if constexpr (std::is_enum_v<T>) {
    auto v = static_cast<std::underlying_type_t<T>>(x);
    apply(ar, v);
    if constexpr (load)
      x = static_cast<T>(v);
  } else if constexpr (is_vector<T>::value) {
    using element = typename T::value_type;
    static_assert(!std::is_same_v<element, bool>, "std::vector<bool> is not serializable");
    if constexpr (load) {
      auto n = ar.get_size(min_bytes<element>);
      using allocator = typename T::allocator_type;
      if constexpr (std::is_constructible_v<allocator, std::shared_ptr<output_pool>>) {
        if (ar.pool() && n > 0) {
          T pooled{allocator{ar.pool()}};
          pooled.reserve(n);  // exactly n: one block size per output size
          x = std::move(pooled);
        }
      }
      x.resize(n);
      if constexpr (is_byte_like<element>) {
        if (!x.empty())
          ar.get_bytes(x.data(), x.size());
      } else {
        for (auto& e : x)
          apply(ar, e);
      }
    } else {
      ar.put_size(x.size());
      if constexpr (is_byte_like<element>) {
        if (!x.empty())
          ar.put_bytes(x.data(), x.size());
      } else {
        for (auto& e : x)
          apply(ar, e);
      }
    }
  } else if constexpr (is_array<T>::value) {
    for (auto& e : x)
      apply(ar, e);
  } else if constexpr (is_pair<T>::value) {
    apply(ar, x.first);
    apply(ar, x.second);
  } else {
    static_assert(
      has_serialize<Archive, T>,
      "no serialize(Archive&, T&) found for this type (see lockstep/messages/serialize.hpp)");
    serialize(ar, x);
  }
}

/// Writes into a byte vector, in the library (CAF's binary format).
class byte_writer final : public writer {
 public:
  explicit byte_writer(std::vector<char>& out);
  byte_writer(const byte_writer&) = delete;
  byte_writer& operator=(const byte_writer&) = delete;
  ~byte_writer() override;
  void put(std::int8_t x) override;
  void put(std::uint8_t x) override;
  void put(std::int16_t x) override;
  void put(std::uint16_t x) override;
  void put(std::int32_t x) override;
  void put(std::uint32_t x) override;
  void put(std::int64_t x) override;
  void put(std::uint64_t x) override;
  void put(float x) override;
  void put(double x) override;
  void put(const std::string& x) override;
  void put_size(std::size_t n) override;
  void put_bytes(const void* data, std::size_t n) override;

 private:
  struct impl;
  impl* impl_;
};

/// Reads from bytes held elsewhere, in the library.
class byte_reader final : public reader {
 public:
  byte_reader(const char* data, std::size_t size);
  byte_reader(const byte_reader&) = delete;
  byte_reader& operator=(const byte_reader&) = delete;
  ~byte_reader() override;
  void get(std::int8_t& x) override;
  void get(std::uint8_t& x) override;
  void get(std::int16_t& x) override;
  void get(std::uint16_t& x) override;
  void get(std::int32_t& x) override;
  void get(std::uint32_t& x) override;
  void get(std::int64_t& x) override;
  void get(std::uint64_t& x) override;
  void get(float& x) override;
  void get(double& x) override;
  void get(std::string& x) override;
  std::size_t get_size(std::size_t min_element_bytes) override;
  void get_bytes(void* data, std::size_t n) override;
  std::size_t remaining() const override;

 private:
  struct impl;
  impl* impl_;
};

/// Throws lockstep::error(io_error): `what` was left over after decoding.
[[noreturn]] void throw_left_over(std::size_t bytes);

}  // namespace detail

template <class... Ts>
void writer::operator()(Ts&... xs) {
  (detail::apply(*this, xs), ...);
}

template <class... Ts>
void reader::operator()(Ts&... xs) {
  (detail::apply(*this, xs), ...);
}

/// A value's bytes: what digests hash and what remote nodes receive.
template <serializable T>
std::vector<char> encode(const T& value) {
  std::vector<char> out;
  detail::byte_writer w{out};
  // The hook takes non-const references for both directions; writing only reads.
  detail::apply(w, const_cast<T&>(value));
  return out;
}

/// The inverse of encode; throws lockstep::error(io_error) for bytes that do
/// not hold one T exactly.
template <serializable T>
T decode(const char* data, std::size_t size) {
  T value{};
  detail::byte_reader r{data, size};
  detail::apply(r, value);
  if (r.remaining() != 0)
    detail::throw_left_over(r.remaining());
  return value;
}

template <serializable T>
T decode(const std::vector<char>& bytes) {
  return decode<T>(bytes.data(), bytes.size());
}

}  // namespace lockstep
