#include "lockstep/detail/messages.hpp"

#include <caf/actor_system_config.hpp>

#include "caf_archive.hpp"
#include "lockstep/detail/output_codec.hpp"

namespace lockstep::detail::msg {

namespace {

template <class... Ts>
void register_all(caf::actor_system_config& cfg) {
  (cfg.add_message_type<Ts>(Ts::name), ...);
}

}  // namespace

void register_messages(caf::actor_system_config& cfg) {
  register_all<node_hello, node_welcome, wire_job, wire_result>(cfg);
}

caf::error save_output(caf::serializer& f, wire_output& x) {
  bool present = x.value != nullptr;
  if (auto err = f(x.type, present); err || !present)
    return err;
  auto codec = find_output_codec(x.type);
  if (!codec)
    return caf::make_error(caf::sec::invalid_argument, "no codec for outputs of type " + x.type);
  try {
    caf_writer w{f};
    codec->save(w, x.value);
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::invalid_argument, e.what());
  }
  return caf::none;
}

caf::error load_output(caf::deserializer& f, wire_output& x) {
  bool present = false;
  if (auto err = f(x.type, present); err || !present)
    return err;
  auto codec = find_output_codec(x.type);
  if (!codec)
    return caf::make_error(caf::sec::invalid_argument, "no codec for outputs of type " + x.type);
  try {
    caf_reader r{f};
    x.value = codec->load(r);
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::invalid_argument, e.what());
  }
  return caf::none;
}

}  // namespace lockstep::detail::msg
