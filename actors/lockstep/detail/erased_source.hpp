// The actors' view of a user's source: the same operations on boxes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockstep/detail/box.hpp"
#include "lockstep/detail/output_codec.hpp"

namespace lockstep::detail {

/// One step of iteration: the batch and the state after it.
struct erased_step {
  const_box batch;
  const_box state_after;
};

/// Implemented by source_adapter<Source> (runtime); actors hold it by
/// shared_ptr<const erased_source> and call it from several threads at once,
/// so every member must be safe to call concurrently.
class erased_source {
 public:
  virtual ~erased_source() = default;

  /// The name states are saved under ("synthetic", "signals", ...).
  virtual std::string_view name() const = 0;

  /// Cheap and pure; nullopt at the end of a finite source. May throw.
  virtual std::optional<erased_step> iterate(const const_box& state) const = 0;

  /// Expensive and deterministic; may throw std::exception (retried) or
  /// lockstep::permanent_error (not retried).
  virtual box materialize(const const_box& batch) const = 0;

  /// The memory an output of materialize holds (source.hpp, output_bytes).
  virtual std::size_t output_bytes(const box& output) const = 0;

  virtual bool equal_states(const const_box& a, const const_box& b) const = 0;
  virtual const_box copy_state(const const_box& state) const = 0;

  /// The state as compact JSON text, for logs and error messages.
  virtual std::string describe_state(const const_box& state) const = 0;

  // What remote nodes need. Each throws lockstep::error(invalid_config)
  // naming the type when the source's types cannot be serialized.
  virtual std::vector<char> encode_batch(const const_box& batch) const = 0;
  virtual const_box decode_batch(const std::vector<char>& bytes) const = 0;
  /// The codec of the output type, registered in this process.
  virtual const output_codec& outputs() const = 0;
  /// The name outputs travel under (output_type_name of the output type).
  virtual std::string_view output_type_name() const = 0;

  /// The JSON text from which a node's registry rebuilds this source; nullopt
  /// when the source cannot describe itself (then it cannot use nodes).
  virtual std::optional<std::string> params_json() const = 0;

  /// The source's fingerprint (JSON text; source.hpp), "" when it has none:
  /// a node compares its own with the run's.
  virtual std::string fingerprint_json() const = 0;
};

}  // namespace lockstep::detail
