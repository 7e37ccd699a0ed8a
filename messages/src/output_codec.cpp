#include "lockstep/detail/output_codec.hpp"

#include <map>
#include <mutex>
#include <shared_mutex>

namespace lockstep::detail {

namespace {

std::shared_mutex mtx;
std::map<std::string, const output_codec*, std::less<>> codecs;

}  // namespace

void register_output_codec(std::string_view type_name, const output_codec& codec) {
  std::unique_lock guard{mtx};
  codecs.try_emplace(std::string{type_name}, &codec);
}

const output_codec* find_output_codec(std::string_view type_name) {
  std::shared_lock guard{mtx};
  auto i = codecs.find(type_name);
  return i == codecs.end() ? nullptr : i->second;
}

}  // namespace lockstep::detail
