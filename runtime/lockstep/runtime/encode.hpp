// A value's bytes in CAF's binary format (what digests hash and nodes ship).
#pragma once

#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/detail/type_traits.hpp>

#include "lockstep/runtime/errors.hpp"

namespace lockstep {

/// True when T has a CAF inspect() overload (or is a built-in CAF type).
template <class T>
constexpr bool encodable = caf::detail::is_serializable<T>::value;

/// Throws lockstep::error(io_error) if serialization fails.
template <class T>
  requires encodable<T>
std::vector<char> encode(const T& value) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  // CAF's inspectors take non-const references; serializing only reads.
  if (auto err = sink(const_cast<T&>(value)))
    throw error(errc::io_error, "cannot serialize a value: " + caf::to_string(err));
  return buf;
}

/// The inverse of encode; throws lockstep::error(io_error) for bytes that do
/// not hold a T, or hold more than one.
template <class T>
  requires encodable<T> && std::default_initializable<T>
T decode(const std::vector<char>& bytes) {
  T value;
  caf::binary_deserializer source{nullptr, bytes};
  if (auto err = source(value))
    throw error(errc::io_error, "cannot deserialize a value: " + caf::to_string(err));
  if (source.remaining() != 0)
    throw error(errc::io_error, "cannot deserialize a value: "
                                  + std::to_string(source.remaining()) + " bytes left over");
  return value;
}

}  // namespace lockstep
