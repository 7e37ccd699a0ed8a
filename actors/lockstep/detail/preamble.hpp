// The lockstep preamble: the first bytes on every connection to a node, read
// and checked before CAF's protocol (BASP) sees the connection (private header).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep::detail {

/// SHA-256 (FIPS 180-4) of `data`.
std::array<std::uint8_t, 32> sha256(std::string_view data);

/// Why a node turned a connection away at the preamble; 0 is "go on".
enum class preamble_answer : std::uint32_t {
  welcome = 0,
  token_required = 1,   ///< the node has a token, the client sent none
  token_refused = 2,    ///< the token's digest differs
  version_refused = 3,  ///< another preamble version
};

/// Client → node, fixed size, sent at once after connecting:
///
///     0  "LOCKSTEP"                 magic
///     8  u32 LE                     preamble version (1)
///    12  u32 LE                     flags: bit 0 = a token follows
///    16  32 bytes                   SHA-256 of the token (zeros without one)
///
/// Node → client, fixed size: "LOCKSTEP", u32 LE version, u32 LE answer. On
/// `welcome` both sides hand the socket to CAF, which starts BASP on it; on
/// anything else the node closes the connection. A peer can make the node
/// hold nothing but these 48 bytes before it is known to hold the token.
struct preamble {
  static constexpr std::uint32_t version = 1;
  static constexpr std::size_t hello_size = 48;
  static constexpr std::size_t answer_size = 16;
  using hello_bytes = std::array<std::uint8_t, hello_size>;
  using answer_bytes = std::array<std::uint8_t, answer_size>;

  static hello_bytes hello(const std::string& token);
  static answer_bytes answer(preamble_answer a);

  /// What a node with `token` (empty: none required) answers to `bytes`, a
  /// complete hello; `magic_ok` is false for bytes that are not a lockstep
  /// hello at all (the node then closes without answering). The digests
  /// are compared in time independent of where they differ.
  static preamble_answer check(const std::uint8_t* bytes, std::size_t size,
                               const std::string& token, bool& magic_ok);

  /// Parses a node's answer; false when the bytes are not one.
  static bool parse_answer(const std::uint8_t* bytes, std::size_t size, preamble_answer& out,
                           std::uint32_t& node_version);

  /// What to tell the user about a refusal.
  static std::string describe(preamble_answer a, std::uint32_t node_version);
};

}  // namespace lockstep::detail
