#include "lockstep/detail/messages.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>

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

namespace {

// Runs `f` with the codec of outputs of `type`, turning what goes wrong into
// the error CAF's inspectors return.
template <class F>
caf::error through_codec(const std::string& type, F f) {
  auto codec = find_output_codec(type);
  if (!codec)
    return caf::make_error(caf::sec::invalid_argument, "no codec for outputs of type " + type);
  try {
    f(*codec);
  } catch (const std::exception& e) {
    return caf::make_error(caf::sec::invalid_argument, e.what());
  }
  return caf::none;
}

}  // namespace

caf::error load_bytes(caf::deserializer& f, std::vector<char>& bytes) {
  std::size_t n = 0;
  if (auto err = f.begin_sequence(n))
    return err;
  // BASP reads a whole message before deserializing it: what it holds is
  // the most the bytes can be.
  if (auto* binary = dynamic_cast<caf::binary_deserializer*>(&f); binary && n > binary->remaining())
    return caf::make_error(caf::sec::end_of_stream,
                           "a batch claims " + std::to_string(n) + " bytes, the message holds "
                             + std::to_string(binary->remaining()));
  bytes.resize(n);
  if (n > 0)
    if (auto err = f.apply_raw(n, bytes.data()))
      return err;
  return f.end_sequence();
}

caf::error save_output(caf::serializer& f, wire_output& x) {
  bool present = x.value != nullptr;
  if (auto err = f(x.type, present); err || !present)
    return err;
  return through_codec(x.type, [&](const output_codec& codec) {
    caf_writer w{f};
    codec.save(w, x.value);
  });
}

caf::error load_output(caf::deserializer& f, wire_output& x) {
  bool present = false;
  if (auto err = f(x.type, present); err || !present)
    return err;
  return through_codec(x.type, [&](const output_codec& codec) {
    caf_reader r{f};
    r.set_pool(codec.receive_pool());
    x.value = codec.load(r);
  });
}

}  // namespace lockstep::detail::msg
