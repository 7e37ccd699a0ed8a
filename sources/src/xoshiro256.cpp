#include "lockstep/sources/xoshiro256.hpp"

#include <charconv>
#include <string>

#include <boost/json/object.hpp>

#include "lockstep/detail/json_fields.hpp"
#include "lockstep/messages/errors.hpp"

namespace lockstep {

namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

std::string hex16(std::uint64_t x) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, x >>= 4)
    out[static_cast<std::size_t>(i)] = digits[x & 0xF];
  return out;
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t& x) {
  auto z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

xoshiro256ss::xoshiro256ss(std::uint64_t seed) {
  for (auto& w : s_)
    w = splitmix64(seed);
}

xoshiro256ss xoshiro256ss::from_words(const std::array<std::uint64_t, 4>& words) {
  if (words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == 0)
    throw error(errc::invalid_state, "an xoshiro256** state must not be all zeros");
  xoshiro256ss rng;
  rng.s_ = words;
  return rng;
}

std::uint64_t xoshiro256ss::operator()() {
  auto result = rotl(s_[1] * 5, 7) * 9;
  auto t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t uniform_below(xoshiro256ss& rng, std::uint64_t n) {
  using u128 = unsigned __int128;
  auto m = static_cast<u128>(rng()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    auto threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(rng()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double uniform01(xoshiro256ss& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

void write_rng(boost::json::object& obj, const xoshiro256ss& rng) {
  boost::json::array words;
  for (auto w : rng.words())
    words.emplace_back(hex16(w));
  obj["rng"] = xoshiro256ss::name;
  obj["s"] = std::move(words);
}

xoshiro256ss read_rng(const boost::json::object& obj, std::string_view what) {
  namespace jf = detail::json_fields;
  std::string where{what};
  auto name = jf::string(jf::field(obj, "rng", what), where + ".rng");
  if (name != xoshiro256ss::name)
    throw error(errc::invalid_state, where + ".rng is \"" + name + "\"; this build knows only \""
                                       + std::string{xoshiro256ss::name} + "\"");
  auto& s = jf::field(obj, "s", what);
  if (!s.is_array() || s.get_array().size() != 4)
    throw error(errc::invalid_state, where + ".s must be an array of 4 hex words");
  std::array<std::uint64_t, 4> words{};
  for (std::size_t i = 0; i < 4; ++i) {
    auto text = jf::string(s.get_array()[i], where + ".s[" + std::to_string(i) + "]");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), words[i], 16);
    if (text.empty() || text.size() > 16 || ec != std::errc{} || end != text.data() + text.size())
      throw error(errc::invalid_state, where + ".s[" + std::to_string(i)
                                         + "] must be 1 to 16 hex digits, got \"" + text + "\"");
  }
  return xoshiro256ss::from_words(words);
}

}  // namespace lockstep
