#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common/bytes.hpp"

namespace kerbpool::test {

// One UDP datagram or TCP segment payload from a capture.
struct CapturedPayload {
  bool udp = false;
  std::uint16_t srcPort = 0;
  std::uint16_t dstPort = 0;
  core::Bytes payload;
};

// Minimal little-endian pcapng reader for the reference captures: Ethernet + IPv4 + UDP/TCP inside
// Enhanced Packet Blocks; other blocks and packets are skipped. Returns what it could read (an empty
// vector for a file that is not such a capture), so tests can REQUIRE on the count.
inline std::vector<CapturedPayload> readPcapngPayloads(const core::Bytes& file) {
  auto le32 = [&](std::size_t p) {
    return static_cast<std::uint32_t>(file[p]) | static_cast<std::uint32_t>(file[p + 1]) << 8 |
           static_cast<std::uint32_t>(file[p + 2]) << 16 | static_cast<std::uint32_t>(file[p + 3]) << 24;
  };
  std::vector<CapturedPayload> out;
  std::size_t p = 0;
  while (p + 12 <= file.size()) {
    const std::uint32_t type = le32(p);
    const std::uint32_t length = le32(p + 4);
    if (length < 12 || length % 4 != 0 || length > file.size() - p) {
      break;
    }
    if (type == 6 && length >= 32) {
      const std::size_t captured = le32(p + 20);
      const std::size_t data = p + 28;
      if (captured <= length - 32) {
        const std::uint8_t* pkt = file.data() + data;
        const bool ipv4 = captured >= 34 && pkt[12] == 0x08 && pkt[13] == 0x00 && (pkt[14] >> 4) == 4;
        if (ipv4) {
          const std::size_t ihl = static_cast<std::size_t>(pkt[14] & 0x0f) * 4;
          const std::size_t ipTotal = static_cast<std::size_t>(pkt[16]) << 8 | pkt[17];
          const std::uint8_t proto = pkt[23];
          const std::size_t l4 = 14 + ihl;
          const std::size_t end = std::min(captured, 14 + ipTotal);
          if (l4 + 8 <= end) {
            CapturedPayload cp;
            cp.srcPort = static_cast<std::uint16_t>(pkt[l4] << 8 | pkt[l4 + 1]);
            cp.dstPort = static_cast<std::uint16_t>(pkt[l4 + 2] << 8 | pkt[l4 + 3]);
            std::size_t start = 0;
            if (proto == 17) {
              cp.udp = true;
              start = l4 + 8;
            } else if (proto == 6 && l4 + 20 <= end) {
              start = l4 + static_cast<std::size_t>(pkt[l4 + 12] >> 4) * 4;
            }
            if (start != 0 && start <= end) {
              cp.payload.assign(pkt + start, pkt + end);
              out.push_back(std::move(cp));
            }
          }
        }
      }
    }
    p += length;
  }
  return out;
}

}  // namespace kerbpool::test
