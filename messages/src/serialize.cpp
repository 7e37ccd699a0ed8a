#include "lockstep/messages/serialize.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

// GCC 12 at -O3 inlines CAF's one-byte writes into the writers below and
// then misreads the vector insert they end in as an access past a uint8_t
// (known false positives of -Warray-bounds and -Wstringop-overread); the
// bytes are CAF's own, checked against CAF by messages.serialize.
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overread"

#include "caf_archive.hpp"

namespace lockstep::detail {

struct byte_writer::impl {
  explicit impl(std::vector<char>& out) : sink{nullptr, out}, w{sink} {}
  caf::binary_serializer sink;
  caf_writer w;
};

byte_writer::byte_writer(std::vector<char>& out) : impl_(new impl{out}) {}
byte_writer::~byte_writer() {
  delete impl_;
}
void byte_writer::put(std::int8_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::uint8_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::int16_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::uint16_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::int32_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::uint32_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::int64_t x) {
  impl_->w.put(x);
}
void byte_writer::put(std::uint64_t x) {
  impl_->w.put(x);
}
void byte_writer::put(float x) {
  impl_->w.put(x);
}
void byte_writer::put(double x) {
  impl_->w.put(x);
}
void byte_writer::put(const std::string& x) {
  impl_->w.put(x);
}
void byte_writer::put_size(std::size_t n) {
  impl_->w.put_size(n);
}
void byte_writer::put_bytes(const void* data, std::size_t n) {
  impl_->w.put_bytes(data, n);
}

struct byte_reader::impl {
  impl(const char* data, std::size_t size) : source{nullptr, data, size}, r{source} {}
  caf::binary_deserializer source;
  caf_reader r;
};

byte_reader::byte_reader(const char* data, std::size_t size) : impl_(new impl{data, size}) {}
byte_reader::~byte_reader() {
  delete impl_;
}
void byte_reader::get(std::int8_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::uint8_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::int16_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::uint16_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::int32_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::uint32_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::int64_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::uint64_t& x) {
  impl_->r.get(x);
}
void byte_reader::get(float& x) {
  impl_->r.get(x);
}
void byte_reader::get(double& x) {
  impl_->r.get(x);
}
void byte_reader::get(std::string& x) {
  impl_->r.get(x);
}
std::size_t byte_reader::get_size(std::size_t min_element_bytes) {
  return impl_->r.get_size(min_element_bytes);
}
void byte_reader::get_bytes(void* data, std::size_t n) {
  impl_->r.get_bytes(data, n);
}
std::size_t byte_reader::remaining() const {
  return impl_->r.remaining();
}

void throw_left_over(std::size_t bytes) {
  throw error(errc::io_error,
              "cannot deserialize a value: " + std::to_string(bytes) + " bytes left over");
}

}  // namespace lockstep::detail
