// A value's bytes in CAF's binary format (what digests hash and nodes ship).
#pragma once

#include <string>
#include <vector>

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

}  // namespace lockstep
