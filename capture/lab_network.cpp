#include "capture/lab_network.hpp"

#include <algorithm>

namespace kerbpool::capture {

namespace {

constexpr std::uint32_t kLocalhost = 0x7f000001;
constexpr std::size_t kEthernet = 14;

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
std::uint32_t get32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }
}
void putMac(std::uint8_t* p, std::uint32_t address) {
  p[0] = 0x02;  // locally administered
  p[1] = 0x00;
  put32(p + 2, address);
}

bool isWorkstation(std::uint32_t a) {
  return (a >> 24) == 127 && ((a >> 16) & 0xff) != 0;
}

std::uint32_t sumWords(std::span<const std::uint8_t> data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  }
  if (i < data.size()) {
    sum += static_cast<std::uint32_t>(data[i] << 8);
  }
  return sum;
}

}  // namespace

std::uint32_t ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return static_cast<std::uint32_t>(a) << 24 | static_cast<std::uint32_t>(b) << 16 |
         static_cast<std::uint32_t>(c) << 8 | d;
}

std::string formatIpv4(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
         std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

std::vector<std::uint16_t> LabNetwork::ports() const {
  std::vector<std::uint16_t> out;
  for (const auto& [port, host] : servers) {
    out.push_back(port);
  }
  return out;
}

std::string LabNetwork::nameOf(std::uint32_t address) const {
  for (const auto& [port, host] : servers) {
    if (host.address == address) {
      return host.name;
    }
  }
  for (const auto& [port, host] : callersOf) {
    if (host.address == address) {
      return host.name;
    }
  }
  if (address == otherLocal.address) {
    return otherLocal.name;
  }
  if ((address >> 24) == 10 && ((address >> 16) & 0xff) != 0) {
    const std::uint32_t loopback = (127u << 24) | (address & 0xffffff);
    if (workstationName) {
      return workstationName(loopback);
    }
    return "ws-" + std::to_string((address >> 16) & 0xff) + "-" + std::to_string((address >> 8) & 0xff) +
           "-" + std::to_string(address & 0xff);
  }
  return "";
}

std::uint16_t internetChecksum(std::span<const std::uint8_t> data, std::uint32_t sum) {
  sum = sumWords(data, sum);
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum);
}

FrameRewrite rewriteFrame(std::span<std::uint8_t> frame, const LabNetwork& network) {
  FrameRewrite out;
  if (frame.size() < kEthernet + 20 || get16(&frame[12]) != 0x0800) {
    return out;
  }
  std::uint8_t* ip = frame.data() + kEthernet;
  const std::size_t headerLength = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
  const std::size_t totalLength = get16(ip + 2);
  const std::uint8_t protocol = ip[9];
  if ((ip[0] >> 4) != 4 || headerLength < 20 || totalLength < headerLength + 8 ||
      kEthernet + totalLength > frame.size() || (protocol != 6 && protocol != 17) ||
      (get16(ip + 6) & 0x3fff) != 0) {  // fragments do not occur on loopback
    return out;
  }
  std::uint8_t* l4 = ip + headerLength;
  const std::size_t l4Length = totalLength - headerLength;
  if (protocol == 6 && l4Length < 20) {
    return out;
  }
  const std::uint32_t src = get32(ip + 12);
  const std::uint32_t dst = get32(ip + 16);
  const std::uint16_t sport = get16(l4);
  const std::uint16_t dport = get16(l4 + 2);

  const auto server = [&](std::uint32_t a, std::uint16_t port) -> const LabHost* {
    if (a != kLocalhost) {
      return nullptr;
    }
    auto it = network.servers.find(port);
    return it == network.servers.end() ? nullptr : &it->second;
  };
  const LabHost* srcServer = server(src, sport);
  const LabHost* dstServer = server(dst, dport);
  if (srcServer == nullptr && dstServer == nullptr) {
    return out;
  }
  // The other end of a server's conversation.
  const auto peer = [&](std::uint32_t a, std::uint16_t serverPort) -> std::uint32_t {
    if (isWorkstation(a)) {
      return (10u << 24) | (a & 0xffffff);
    }
    auto it = network.callersOf.find(serverPort);
    return it != network.callersOf.end() ? it->second.address : network.otherLocal.address;
  };
  std::uint32_t newSrc = 0;
  std::uint32_t newDst = 0;
  if (srcServer != nullptr && dstServer != nullptr) {
    // 127.0.0.1:server -> 127.0.0.1:server only when a server calls another from its own listening port,
    // which none does; name both ends after their ports.
    newSrc = srcServer->address;
    newDst = dstServer->address;
  } else if (srcServer != nullptr) {
    newSrc = srcServer->address;
    newDst = peer(dst, sport);
  } else {
    newSrc = peer(src, dport);
    newDst = dstServer->address;
  }

  if (srcServer != nullptr && srcServer->wellKnownPort != 0) {
    put16(l4, srcServer->wellKnownPort);
  }
  if (dstServer != nullptr && dstServer->wellKnownPort != 0) {
    put16(l4 + 2, dstServer->wellKnownPort);
  }
  put32(ip + 12, newSrc);
  put32(ip + 16, newDst);
  put16(ip + 10, 0);
  put16(ip + 10, internetChecksum(std::span<const std::uint8_t>(ip, headerLength)));

  // Pseudo-header: source, destination, zero, protocol, L4 length.
  std::uint8_t pseudo[12];
  put32(pseudo, newSrc);
  put32(pseudo + 4, newDst);
  pseudo[8] = 0;
  pseudo[9] = protocol;
  put16(pseudo + 10, static_cast<std::uint16_t>(l4Length));
  const std::size_t checksumAt = protocol == 6 ? 16 : 6;
  put16(l4 + checksumAt, 0);
  std::uint16_t sum = internetChecksum(std::span<const std::uint8_t>(l4, l4Length), sumWords(pseudo, 0));
  if (protocol == 17 && sum == 0) {
    sum = 0xffff;  // UDP: 0 means "no checksum"
  }
  put16(l4 + checksumAt, sum);

  putMac(frame.data(), newDst);
  putMac(frame.data() + 6, newSrc);
  out.lab = true;
  out.source = newSrc;
  out.destination = newDst;
  return out;
}

}  // namespace kerbpool::capture
