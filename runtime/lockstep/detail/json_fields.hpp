// Reading JSON fields with errors that say which field and what was expected.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "lockstep/messages/errc.hpp"

namespace lockstep::detail::json_fields {

// Each function throws lockstep::error(code) with a message that starts with
// `what` (the field's path, e.g. "state.index").

const boost::json::object& object(const boost::json::value& v, std::string_view what,
                                  errc code = errc::invalid_state);

/// The field `key` of `obj`; `what` is the object's path.
const boost::json::value& field(const boost::json::object& obj, std::string_view key,
                                std::string_view what, errc code = errc::invalid_state);

/// An exact non-negative integer: a JSON integer or a decimal string (never a
/// double, which would lose precision above 2^53).
std::uint64_t uint64(const boost::json::value& v, std::string_view what,
                     errc code = errc::invalid_state);

/// A finite number (integer or floating).
double number(const boost::json::value& v, std::string_view what, errc code = errc::invalid_state);

std::string string(const boost::json::value& v, std::string_view what,
                   errc code = errc::invalid_state);

bool boolean(const boost::json::value& v, std::string_view what, errc code = errc::invalid_state);

/// Rejects keys of `obj` not in `allowed`, naming the first unknown one.
void only_keys(const boost::json::object& obj, std::initializer_list<std::string_view> allowed,
               std::string_view what, errc code = errc::invalid_state);

/// "a", "b" and "c" → `"a", "b", "c"` for messages.
std::string join(std::initializer_list<std::string_view> names);

}  // namespace lockstep::detail::json_fields
