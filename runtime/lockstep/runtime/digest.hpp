// A 64-bit fingerprint of bytes, to compare outputs across runs and machines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lockstep {

/// XXH64 (seed 0) of `size` bytes at `data`: fast and identical on every
/// platform. Not cryptographic.
std::uint64_t xxh64(const void* data, std::size_t size, std::uint64_t seed = 0);

/// xxh64 as 16 lowercase hex digits: the "digest" of `lockstep run --digests`.
std::string digest_hex(const std::vector<char>& bytes);

}  // namespace lockstep
