// libFuzzer: what a peer can send a node, before and after the handshake.
// The first byte picks the reader; the rest is the peer's bytes:
//   0  lockstep's preamble (node side), with and without a token
//   1  a node's answer to the preamble (client side)
//   2  node_hello, 3 node_welcome, 4 wire_job, 5 wire_result (with the
//      output read through its type's codec): CAF's binary format
//   6  a script of connections for the gate's table (bounds and deadlines)
// Every reader must end in a value or an error: no crash, hang, leak or
// allocation beyond what the bytes hold.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "lockstep/detail/messages.hpp"
#include "lockstep/detail/node_gate.hpp"
#include "lockstep/detail/output_codec.hpp"
#include "lockstep/detail/preamble.hpp"
#include "lockstep/messages/errors.hpp"

namespace {

using namespace lockstep::detail;

// Integers only: CAF 0.17's float serializer does not end on infinities
// (why lockstep ships floats as raw bytes, lockstep::tensor), and the write-back
// below would hang on one read from the bytes.
struct record {
  std::vector<std::int64_t> x;
  std::vector<std::uint8_t> y;
  std::string name;
};

template <class Archive>
void serialize(Archive& ar, record& r) {
  ar(r.x, r.y, r.name);
}

void preamble_side(const std::uint8_t* data, std::size_t size) {
  for (const char* token : {"", "s3cret"}) {
    bool magic_ok = false;
    auto a = preamble::check(data, size, token, magic_ok);
    // Only a hello that carries the token's digest is welcome, when there is one.
    if (magic_ok && a == preamble_answer::welcome && *token != '\0') {
      auto good = preamble::hello(token);
      for (std::size_t i = 16; i < preamble::hello_size; ++i)
        if (data[i] != good[i])
          __builtin_trap();
    }
  }
}

void answer_side(const std::uint8_t* data, std::size_t size) {
  preamble_answer a{};
  std::uint32_t version = 0;
  if (preamble::parse_answer(data, size, a, version))
    (void)preamble::describe(a, version);
}

template <class T>
void caf_side(const std::uint8_t* data, std::size_t size) {
  T value;
  caf::binary_deserializer source{static_cast<caf::execution_unit*>(nullptr),
                                  reinterpret_cast<const char*>(data), size};
  if (auto err = source(value))
    return;
  // What was read writes back (actor handles need a system, so not those).
  if constexpr (!std::is_same_v<T, msg::node_hello> && !std::is_same_v<T, msg::node_welcome>) {
    std::vector<char> out;
    caf::binary_serializer sink{static_cast<caf::execution_unit*>(nullptr), out};
    if (auto err = sink(value))
      __builtin_trap();
  }
}

void gate_side(const std::uint8_t* data, std::size_t size) {
  using clock = gate_table::clock;
  gate_table table{3, 7};
  auto t0 = clock::time_point{};
  int next_fd = 100;
  for (std::size_t i = 0; i + 1 < size; i += 2) {
    auto op = data[i] % 3;
    auto arg = data[i + 1];
    if (op == 0) {
      table.add(next_fd++, "peer" + std::to_string(arg % 5), t0 + std::chrono::milliseconds{arg});
    } else if (op == 1) {
      table.expired(t0 + std::chrono::milliseconds{arg});
    } else {
      table.remove(100 + arg);
    }
    if (table.size() > 7)
      __builtin_trap();
    for (int p = 0; p < 5; ++p)
      if (table.from("peer" + std::to_string(p)) > 3)
        __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool codecs = [] {
    (void)output_codec_of<record>();
    (void)output_codec_of<std::vector<std::uint32_t>>();
    (void)output_codec_of<std::string>();
    return true;
  }();
  (void)codecs;
  if (size == 0)
    return 0;
  auto which = data[0];
  ++data;
  --size;
  try {
    switch (which % 7) {
      case 0:
        preamble_side(data, size);
        break;
      case 1:
        answer_side(data, size);
        break;
      case 2:
        caf_side<msg::node_hello>(data, size);
        break;
      case 3:
        caf_side<msg::node_welcome>(data, size);
        break;
      case 4:
        caf_side<msg::wire_job>(data, size);
        break;
      case 5:
        caf_side<msg::wire_result>(data, size);
        break;
      default:
        gate_side(data, size);
        break;
    }
  } catch (const lockstep::error&) {
  }
  return 0;
}
