// lockstep's writer and reader on top of CAF's serializer and deserializer
// (private to the messages library).
#pragma once

#include <limits>
#include <string>

#include <caf/binary_deserializer.hpp>
#include <caf/deserializer.hpp>
#include <caf/serializer.hpp>

#include "lockstep/messages/errors.hpp"
#include "lockstep/messages/serialize.hpp"

namespace lockstep::detail {

[[noreturn]] inline void serialization_failed(const caf::error& e, const char* doing) {
  throw error(errc::io_error, std::string{"cannot "} + doing + ": " + caf::to_string(e));
}

class caf_writer final : public writer {
 public:
  explicit caf_writer(caf::serializer& sink) : sink_(sink) {}

  void put(std::int8_t x) override { apply(x); }
  void put(std::uint8_t x) override { apply(x); }
  void put(std::int16_t x) override { apply(x); }
  void put(std::uint16_t x) override { apply(x); }
  void put(std::int32_t x) override { apply(x); }
  void put(std::uint32_t x) override { apply(x); }
  void put(std::int64_t x) override { apply(x); }
  void put(std::uint64_t x) override { apply(x); }
  void put(float x) override { apply(x); }
  void put(double x) override { apply(x); }
  void put(const std::string& x) override { apply(const_cast<std::string&>(x)); }
  void put_size(std::size_t n) override {
    if (auto err = sink_.begin_sequence(n))
      serialization_failed(err, "serialize a value");
  }
  void put_bytes(const void* data, std::size_t n) override {
    // CAF's serializers only read through this pointer.
    if (auto err = sink_.apply_raw(n, const_cast<void*>(data)))
      serialization_failed(err, "serialize a value");
  }

 private:
  template <class T>
  void apply(T& x) {
    if (auto err = sink_(x))
      serialization_failed(err, "serialize a value");
  }
  template <class T>
  void apply(const T& x) {
    T copy = x;
    apply(copy);
  }

  caf::serializer& sink_;
};

class caf_reader final : public reader {
 public:
  explicit caf_reader(caf::deserializer& source) : source_(source) {
    // Bounds: known for byte buffers (every message from a peer is one).
    if (auto* bytes = dynamic_cast<caf::binary_deserializer*>(&source))
      binary_ = bytes;
  }

  void get(std::int8_t& x) override { apply(x); }
  void get(std::uint8_t& x) override { apply(x); }
  void get(std::int16_t& x) override { apply(x); }
  void get(std::uint16_t& x) override { apply(x); }
  void get(std::int32_t& x) override { apply(x); }
  void get(std::uint32_t& x) override { apply(x); }
  void get(std::int64_t& x) override { apply(x); }
  void get(std::uint64_t& x) override { apply(x); }
  void get(float& x) override { apply(x); }
  void get(double& x) override { apply(x); }
  void get(std::string& x) override { apply(x); }
  std::size_t get_size(std::size_t min_element_bytes) override {
    std::size_t n = 0;
    if (auto err = source_.begin_sequence(n))
      serialization_failed(err, "deserialize a value");
    if (min_element_bytes > 0 && n > remaining() / min_element_bytes)
      throw error(errc::io_error, "cannot deserialize a value: a sequence of " + std::to_string(n)
                                    + " elements in " + std::to_string(remaining())
                                    + " bytes of input");
    return n;
  }
  void get_bytes(void* data, std::size_t n) override {
    if (n > remaining())
      throw error(errc::io_error, "cannot deserialize a value: " + std::to_string(n)
                                    + " bytes wanted, " + std::to_string(remaining()) + " left");
    if (auto err = source_.apply_raw(n, data))
      serialization_failed(err, "deserialize a value");
  }
  std::size_t remaining() const override {
    return binary_ ? binary_->remaining() : std::numeric_limits<std::size_t>::max();
  }

 private:
  template <class T>
  void apply(T& x) {
    if (auto err = source_(x))
      serialization_failed(err, "deserialize a value");
  }

  caf::deserializer& source_;
  caf::binary_deserializer* binary_ = nullptr;
};

}  // namespace lockstep::detail
