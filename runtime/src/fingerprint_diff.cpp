#include "lockstep/detail/fingerprint_diff.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace lockstep::detail {

namespace {

namespace json = boost::json;

struct names {
  std::string_view a;
  std::string_view b;
};

// Long values (digests of data, weight lists) are shown cut.
std::string shown(const json::value* v) {
  if (!v)
    return "absent";
  auto text = json::serialize(*v);
  constexpr std::size_t limit = 40;
  return text.size() <= limit ? text : text.substr(0, limit) + "...";
}

std::string differ(const std::string& path, const json::value* a, const json::value* b,
                   names n) {
  return (path.empty() ? std::string{"the value"} : path) + ": " + shown(a) + " in "
         + std::string{n.a} + ", " + shown(b) + " in " + std::string{n.b};
}

// A list of objects that each have a string "name": its items are told
// apart by their names.
bool named_list(const json::array& list) {
  if (list.empty())
    return false;
  for (auto& item : list)
    if (!item.is_object() || !item.get_object().contains("name")
        || !item.get_object().at("name").is_string())
      return false;
  return true;
}

std::string item_name(const json::value& item) {
  return std::string{item.get_object().at("name").get_string()};
}

std::optional<std::string> compare(const json::value& a, const json::value& b,
                                   const std::string& path, names n);

std::optional<std::string> compare_named(const json::array& a, const json::array& b,
                                         const std::string& path, names n) {
  auto count = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < count; ++i)
    if (item_name(a[i]) != item_name(b[i]))
      return path + ": item " + std::to_string(i + 1) + " is \"" + item_name(a[i]) + "\" in "
             + std::string{n.a} + ", \"" + item_name(b[i]) + "\" in " + std::string{n.b};
  if (a.size() != b.size()) {
    auto& longer = a.size() > b.size() ? a : b;
    return path + ": " + std::to_string(a.size()) + " in " + std::string{n.a} + ", "
           + std::to_string(b.size()) + " in " + std::string{n.b} + " (\""
           + item_name(longer[count]) + "\" is only in "
           + std::string{a.size() > b.size() ? n.a : n.b} + ")";
  }
  for (std::size_t i = 0; i < count; ++i)
    if (auto d = compare(a[i], b[i], path + "[" + item_name(a[i]) + "]", n))
      return d;
  return std::nullopt;
}

std::optional<std::string> compare(const json::value& a, const json::value& b,
                                   const std::string& path, names n) {
  if (a == b)
    return std::nullopt;
  if (a.is_object() && b.is_object()) {
    auto& ao = a.get_object();
    auto& bo = b.get_object();
    auto sub = [&](std::string_view key) {
      return path.empty() ? std::string{key} : path + "." + std::string{key};
    };
    for (auto& [key, value] : ao) {
      auto* other = bo.if_contains(key);
      if (!other)
        return differ(sub(key), &value, nullptr, n);
      if (auto d = compare(value, *other, sub(key), n))
        return d;
    }
    for (auto& [key, value] : bo)
      if (!ao.contains(key))
        return differ(sub(key), nullptr, &value, n);
  }
  if (a.is_array() && b.is_array() && named_list(a.get_array()) && named_list(b.get_array()))
    return compare_named(a.get_array(), b.get_array(), path, n);
  return differ(path, &a, &b, n);
}

}  // namespace

std::optional<std::string> fingerprint_difference(std::string_view a, std::string_view b,
                                                  std::string_view a_name,
                                                  std::string_view b_name) {
  if (a == b)
    return std::nullopt;
  std::error_code ea, eb;
  auto va = json::parse(a, ea);
  auto vb = json::parse(b, eb);
  if (ea || eb)
    return "the fingerprint is " + std::string{a} + " in " + std::string{a_name} + ", "
           + std::string{b} + " in " + std::string{b_name};
  return compare(va, vb, "", {a_name, b_name});
}

}  // namespace lockstep::detail
