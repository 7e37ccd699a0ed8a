// Serializing outputs straight into and out of CAF's buffers, by source name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <caf/deserializer.hpp>
#include <caf/error.hpp>
#include <caf/sec.hpp>
#include <caf/serializer.hpp>

#include "lockstep/messages/box.hpp"

namespace lockstep {

/// Writes and reads one source's output type in CAF's binary format.
class output_codec {
 public:
  virtual ~output_codec() = default;
  virtual caf::error save_output(caf::serializer& sink, const box& output) const = 0;
  virtual caf::error load_output(caf::deserializer& source, box& output) const = 0;
};

/// Makes `codec` the one for outputs of source `name` in this process. Held
/// weakly: it serves as long as its owner (a batcher, a node's run) lives.
void register_output_codec(const std::string& name, const std::shared_ptr<const output_codec>& codec);

/// The live codec for source `name`, or null.
std::shared_ptr<const output_codec> find_output_codec(std::string_view name);

}  // namespace lockstep
