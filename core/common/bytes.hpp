#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kerbpool::core {

using Bytes = std::vector<std::uint8_t>;
using BytesView = std::span<const std::uint8_t>;

inline BytesView asBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline Bytes toBytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline std::string toString(BytesView b) {
  return std::string(b.begin(), b.end());
}

inline void append(Bytes& out, BytesView more) {
  out.insert(out.end(), more.begin(), more.end());
}

// FNV-1a (64-bit) over octets, continuing from `h`: spreads keys over a cache's slots or sets. Not a
// cryptographic hash: a cache that finds an entry by it still compares the whole key.
inline constexpr std::uint64_t kFnv1aOffset = 0xcbf29ce484222325ull;
inline std::uint64_t fnv1a(BytesView octets, std::uint64_t h = kFnv1aOffset) {
  for (const std::uint8_t b : octets) {
    h = (h ^ b) * 0x100000001b3ull;
  }
  return h;
}

// Constant-time comparison for MACs and other secrets: the time taken depends only on the lengths.
bool constantTimeEqual(BytesView a, BytesView b);

// Overwrites a buffer holding key material so that it does not linger in freed memory.
void secureWipe(Bytes& b);
// The same for a string holding a password or key material.
void secureWipe(std::string& s);
// Overwrites octets in place (a fixed array, a part of a buffer); nothing is resized.
void secureWipe(std::span<std::uint8_t> octets);

}  // namespace kerbpool::core
