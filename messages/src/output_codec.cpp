#include "lockstep/messages/output_codec.hpp"

#include <map>
#include <mutex>

namespace lockstep {

namespace {

std::mutex mtx;
std::map<std::string, std::weak_ptr<const output_codec>, std::less<>> codecs;

}  // namespace

void register_output_codec(const std::string& name,
                           const std::shared_ptr<const output_codec>& codec) {
  std::lock_guard<std::mutex> guard{mtx};
  codecs[name] = codec;
}

std::shared_ptr<const output_codec> find_output_codec(std::string_view name) {
  std::lock_guard<std::mutex> guard{mtx};
  auto i = codecs.find(name);
  return i == codecs.end() ? nullptr : i->second.lock();
}

}  // namespace lockstep
