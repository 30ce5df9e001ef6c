#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

// The lab's hosts on the wire. kerbpool's servers all listen on 127.0.0.1 (each on its own port) and the
// workstations connect from their own loopback addresses (127.a.b.c); in a capture every host gets an address
// of its own on a lab network, as if each were its own machine:
//   a server (a DC's KDC, a node, the load balancer)     its port on 127.0.0.1 -> the host's 10.0.0.x
//   127.0.0.1 on another port, talking to a server       the host that calls it (the nodes' callers: the
//                                                        balancer), else `otherLocal` (the runner's probes)
//   a workstation 127.a.b.c (a != 0)                     10.a.b.c
// and a server's port becomes its service's well-known port (each host has its own address, so they do not
// collide).
namespace kerbpool::capture {

struct LabHost {
  std::string name;
  std::uint32_t address = 0;  // IPv4, host order
  // A server's port in the capture: its service's well-known one (88 for a KDC, 443 or 80 for HTTP), so that
  // Wireshark picks the dissector as on a real network. 0: the port it listens on.
  std::uint16_t wellKnownPort = 0;
};

struct LabNetwork {
  std::map<std::uint16_t, LabHost> servers;    // ports on 127.0.0.1 (TCP and UDP)
  std::map<std::uint16_t, LabHost> callersOf;  // a server port -> who calls it from 127.0.0.1
  LabHost otherLocal{"kerbpool", 0x0a000002};  // 10.0.0.2
  // The name of the workstation at 127.a.b.c; empty function: "ws-a-b-c".
  std::function<std::string(std::uint32_t loopback)> workstationName;

  std::vector<std::uint16_t> ports() const;
  std::string nameOf(std::uint32_t address) const;  // of a lab address (10.x), "" when not a lab host
};

std::uint32_t ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
std::string formatIpv4(std::uint32_t address);

// One frame off the loopback interface (Ethernet, as Linux's lo gives it).
struct FrameRewrite {
  bool lab = false;  // IPv4 TCP/UDP with a lab server's port on 127.0.0.1 at one end; false: leave it out
  std::uint32_t source = 0;  // the lab addresses written (host order)
  std::uint32_t destination = 0;
};

// Rewrites a lab frame in place: lab addresses for 127.x, servers' well-known ports, MAC addresses derived
// from them (02:00:a.b.c.d), IPv4 header, TCP and UDP checksums recomputed (loopback leaves them partial).
// Other frames are untouched.
FrameRewrite rewriteFrame(std::span<std::uint8_t> frame, const LabNetwork& network);

// The Internet checksum (RFC 1071) of `data`, continuing from `sum`.
std::uint16_t internetChecksum(std::span<const std::uint8_t> data, std::uint32_t sum = 0);

}  // namespace kerbpool::capture
