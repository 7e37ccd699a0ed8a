// The actors' view of a user's source: the same operations on boxes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/messages/box.hpp"
#include "lockstep/messages/output_codec.hpp"

namespace lockstep {

/// One step of iteration: the batch and the state after it.
struct erased_step {
  box batch;
  box state_after;
};

/// Implemented by runtime's source_adapter<Source>; actors hold it by
/// shared_ptr<const erased_source> and call it from several threads at once,
/// so every member must be safe to call concurrently. As an output_codec it
/// moves outputs across the network (msg::wire_output).
class erased_source : public output_codec {
 public:
  virtual ~erased_source() = default;

  /// The name states are saved under ("synthetic", "signals", ...).
  virtual std::string_view name() const = 0;

  /// Cheap and pure; nullopt at the end of a finite source. May throw.
  virtual std::optional<erased_step> iterate(const box& state) const = 0;

  /// Expensive and deterministic; may throw std::exception (retried).
  virtual box materialize(const box& batch) const = 0;

  virtual bool equal_states(const box& a, const box& b) const = 0;
  virtual box copy_state(const box& state) const = 0;

  /// The state as compact JSON text, for logs and error messages.
  virtual std::string describe_state(const box& state) const = 0;

  // Wire forms, in CAF's binary format: the output's bytes are what digests
  // hash; a batch crosses the network as bytes. Throw lockstep::error when
  // the source's types have no inspect() overload.
  virtual std::vector<char> encode_output(const box& output) const = 0;
  virtual std::vector<char> encode_batch(const box& batch) const = 0;
  virtual box decode_batch(const std::vector<char>& bytes) const = 0;

  /// The JSON text from which a node's registry rebuilds this source; nullopt
  /// when the source cannot describe itself (then it cannot use nodes).
  virtual std::optional<std::string> params_json() const = 0;
};

}  // namespace lockstep
