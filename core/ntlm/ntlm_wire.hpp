#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/bytes.hpp"

// Little-endian integers as MS-NLMP writes them (2.2: "all multiple-byte values are little-endian").
// The readers take a position the caller has already checked against the buffer size.
namespace kerbpool::core::ntlm::wire {

inline void putLe16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

inline void putLe32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
  }
}

inline void putLe64(Bytes& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
  }
}

inline void setLe16(Bytes& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v & 0xff);
  out[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

inline void setLe32(Bytes& out, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out[at + i] = static_cast<std::uint8_t>((v >> (8 * i)) & 0xff);
  }
}

inline std::uint16_t getLe16(BytesView in, std::size_t at) {
  return static_cast<std::uint16_t>(in[at] | (in[at + 1] << 8));
}

inline std::uint32_t getLe32(BytesView in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | in[at + i];
  }
  return v;
}

inline std::uint64_t getLe64(BytesView in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | in[at + i];
  }
  return v;
}

}  // namespace kerbpool::core::ntlm::wire
