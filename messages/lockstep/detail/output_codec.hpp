// Moving outputs through CAF's serializer typed, by the name of their type.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <typeinfo>

#include "lockstep/detail/box.hpp"
#include "lockstep/messages/serialize.hpp"

namespace lockstep::detail {

/// Writes and reads one output type. A codec depends on the type alone, so
/// there is one per type for the life of the process (output_codec_of).
class output_codec {
 public:
  virtual ~output_codec() = default;
  virtual void save(writer& w, const box& output) const = 0;
  virtual box load(reader& r) const = 0;

  /// Outputs of this type read from nodes take their memory from `pool`
  /// (reader::pool) while it lives: the receive pool of the batcher that
  /// started last. Held weakly, so it dies with its batcher and the last
  /// output drawn from it, and reading falls back to fresh memory.
  void receive_into(std::weak_ptr<output_pool> pool) const {
    std::lock_guard guard{mutex_};
    receive_pool_ = std::move(pool);
  }
  std::shared_ptr<output_pool> receive_pool() const {
    std::lock_guard guard{mutex_};
    return receive_pool_.lock();
  }

 private:
  // A codec is a process-wide constant (output_codec_of); only where
  // received outputs go changes, from the threads that start batchers and
  // the I/O thread that reads results.
  mutable std::mutex mutex_;
  mutable std::weak_ptr<output_pool> receive_pool_;
};

/// Makes `codec` the one a remote output of type `type_name` is read with.
/// The first registration of a name stays: codecs are per type and never
/// die, so runs that start and end in any order never break each other.
void register_output_codec(std::string_view type_name, const output_codec& codec);

/// The codec registered for `type_name`, or null.
const output_codec* find_output_codec(std::string_view type_name);

template <class T>
class typed_output_codec final : public output_codec {
 public:
  void save(writer& w, const box& output) const override {
    detail::apply(w, *static_cast<T*>(output.get()));
  }
  box load(reader& r) const override {
    auto value = std::make_shared<T>();
    detail::apply(r, *value);
    return value;
  }
};

/// The name outputs of type T travel under: its mangled name, the same in
/// every process built from the same code (the Itanium ABI fixes it).
template <class T>
std::string_view output_type_name() {
  return typeid(T).name();
}

/// The process's codec for T, registered on first use.
template <class T>
const output_codec& output_codec_of() {
  static const typed_output_codec<T> codec;
  static const bool registered = (register_output_codec(output_type_name<T>(), codec), true);
  (void)registered;
  return codec;
}

}  // namespace lockstep::detail
