#include "lockstep/detail/preamble.hpp"

#include <cstring>

namespace lockstep::detail {

namespace {

constexpr std::uint8_t magic[8] = {'L', 'O', 'C', 'K', 'S', 'T', 'E', 'P'};

constexpr std::uint32_t k[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

void compress(std::uint32_t h[8], const std::uint8_t* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = std::uint32_t{block[4 * i]} << 24 | std::uint32_t{block[4 * i + 1]} << 16
           | std::uint32_t{block[4 * i + 2]} << 8 | std::uint32_t{block[4 * i + 3]};
  for (int i = 16; i < 64; ++i) {
    auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  auto a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    auto s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    auto ch = (e & f) ^ (~e & g);
    auto t1 = hh + s1 + ch + k[i] + w[i];
    auto s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    auto maj = (a & b) ^ (a & c) ^ (b & c);
    auto t2 = s0 + maj;
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

void put_u32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t get_u32(const std::uint8_t* in) {
  return std::uint32_t{in[0]} | std::uint32_t{in[1]} << 8 | std::uint32_t{in[2]} << 16
         | std::uint32_t{in[3]} << 24;
}

}  // namespace

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  auto bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t n = data.size();
  std::size_t full = n / 64;
  for (std::size_t i = 0; i < full; ++i)
    compress(h, bytes + 64 * i);
  std::uint8_t tail[128] = {};
  std::size_t rest = n - 64 * full;
  if (rest > 0)
    std::memcpy(tail, bytes + 64 * full, rest);
  tail[rest] = 0x80;
  std::size_t tail_size = rest + 1 + 8 <= 64 ? 64 : 128;
  std::uint64_t bits = static_cast<std::uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i)
    tail[tail_size - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
  compress(h, tail);
  if (tail_size == 128)
    compress(h, tail + 64);
  std::array<std::uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j)
      out[4 * i + j] = static_cast<std::uint8_t>(h[i] >> (24 - 8 * j));
  return out;
}

preamble::hello_bytes preamble::hello(const std::string& token) {
  hello_bytes out{};
  std::memcpy(out.data(), magic, 8);
  put_u32(out.data() + 8, version);
  put_u32(out.data() + 12, token.empty() ? 0 : 1);
  if (!token.empty()) {
    auto digest = sha256(token);
    std::memcpy(out.data() + 16, digest.data(), digest.size());
  }
  return out;
}

preamble::answer_bytes preamble::answer(preamble_answer a) {
  answer_bytes out{};
  std::memcpy(out.data(), magic, 8);
  put_u32(out.data() + 8, version);
  put_u32(out.data() + 12, static_cast<std::uint32_t>(a));
  return out;
}

preamble_answer preamble::check(const std::uint8_t* bytes, std::size_t size,
                                const std::string& token, bool& magic_ok) {
  magic_ok = size == hello_size && std::memcmp(bytes, magic, 8) == 0;
  if (!magic_ok)
    return preamble_answer::version_refused;
  if (get_u32(bytes + 8) != version)
    return preamble_answer::version_refused;
  auto flags = get_u32(bytes + 12);
  if (token.empty())
    return preamble_answer::welcome;
  if ((flags & 1) == 0)
    return preamble_answer::token_required;
  auto want = sha256(token);
  unsigned char diff = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    diff |= static_cast<unsigned char>(want[i] ^ bytes[16 + i]);
  return diff == 0 ? preamble_answer::welcome : preamble_answer::token_refused;
}

bool preamble::parse_answer(const std::uint8_t* bytes, std::size_t size, preamble_answer& out,
                            std::uint32_t& node_version) {
  if (size != answer_size || std::memcmp(bytes, magic, 8) != 0)
    return false;
  node_version = get_u32(bytes + 8);
  auto code = get_u32(bytes + 12);
  if (code > static_cast<std::uint32_t>(preamble_answer::version_refused))
    return false;
  out = static_cast<preamble_answer>(code);
  return true;
}

std::string preamble::describe(preamble_answer a, std::uint32_t node_version) {
  switch (a) {
    case preamble_answer::welcome:
      return "welcome";
    case preamble_answer::token_required:
      return "the node requires a token (--token-file)";
    case preamble_answer::token_refused:
      return "the node refused the token";
    case preamble_answer::version_refused:
      break;
  }
  return "preamble version mismatch: the node speaks version " + std::to_string(node_version)
         + ", this manager speaks version " + std::to_string(version);
}

}  // namespace lockstep::detail
