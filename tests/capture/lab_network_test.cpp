#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "capture/lab_network.hpp"

using namespace kerbpool::capture;

namespace {

constexpr std::uint16_t kLbPort = 40100;
constexpr std::uint16_t kNodePort = 40101;
constexpr std::uint16_t kKdcPort = 40088;

LabNetwork lab() {
  LabNetwork n;
  n.servers[kLbPort] = {"pool.contoso.test", ipv4(10, 0, 0, 100)};
  n.servers[kNodePort] = {"fe01", ipv4(10, 0, 0, 101)};
  n.servers[kKdcPort] = {"DC01", ipv4(10, 0, 0, 10)};
  n.callersOf[kNodePort] = {"load balancer", ipv4(10, 0, 0, 99)};
  return n;
}

std::uint32_t at(const std::vector<std::uint8_t>& f, std::size_t i) {
  return static_cast<std::uint32_t>(f[i]) << 24 | static_cast<std::uint32_t>(f[i + 1]) << 16 |
         static_cast<std::uint32_t>(f[i + 2]) << 8 | f[i + 3];
}

// An Ethernet + IPv4 + TCP (protocol 6) or UDP (17) frame as loopback shows it: zero MACs, checksums left
// partial (here: garbage).
std::vector<std::uint8_t> frame(std::uint8_t protocol, std::uint32_t src, std::uint16_t sport,
                                std::uint32_t dst, std::uint16_t dport,
                                const std::vector<std::uint8_t>& payload) {
  const std::size_t l4 = protocol == 6 ? 20 : 8;
  const std::size_t total = 20 + l4 + payload.size();
  std::vector<std::uint8_t> f(14 + total, 0);
  f[12] = 0x08;
  f[14] = 0x45;
  f[16] = static_cast<std::uint8_t>(total >> 8);
  f[17] = static_cast<std::uint8_t>(total);
  f[22] = 64;
  f[23] = protocol;
  f[24] = 0xde;
  f[25] = 0xad;
  for (int i = 0; i < 4; ++i) {
    f[26 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
    f[30 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
  }
  std::uint8_t* p = f.data() + 34;
  p[0] = static_cast<std::uint8_t>(sport >> 8);
  p[1] = static_cast<std::uint8_t>(sport);
  p[2] = static_cast<std::uint8_t>(dport >> 8);
  p[3] = static_cast<std::uint8_t>(dport);
  if (protocol == 6) {
    p[12] = 0x50;
    p[13] = 0x18;  // PSH ACK
    p[16] = 0xbe;
    p[17] = 0xef;
  } else {
    p[4] = static_cast<std::uint8_t>((8 + payload.size()) >> 8);
    p[5] = static_cast<std::uint8_t>(8 + payload.size());
    p[6] = 0xbe;
  }
  std::copy(payload.begin(), payload.end(), f.begin() + 34 + static_cast<std::ptrdiff_t>(l4));
  return f;
}

// A receiver's check: the one's-complement sum over the pseudo-header and the segment is all ones.
bool l4ChecksumValid(const std::vector<std::uint8_t>& f) {
  const std::size_t total = static_cast<std::size_t>(f[16]) << 8 | f[17];
  const std::size_t l4Length = total - 20;
  std::vector<std::uint8_t> pseudo(f.begin() + 26, f.begin() + 34);
  pseudo.push_back(0);
  pseudo.push_back(f[23]);
  pseudo.push_back(static_cast<std::uint8_t>(l4Length >> 8));
  pseudo.push_back(static_cast<std::uint8_t>(l4Length));
  pseudo.insert(pseudo.end(), f.begin() + 34, f.begin() + 34 + static_cast<std::ptrdiff_t>(l4Length));
  return internetChecksum(pseudo) == 0;
}

}  // namespace

TEST_CASE(
    "capture: a workstation's segment to the balancer gets both lab addresses, MACs and valid checksums") {
  auto f = frame(6, ipv4(127, 3, 4, 5), 51000, ipv4(127, 0, 0, 1), kLbPort, {'G', 'E', 'T', ' ', '/'});
  const FrameRewrite r = rewriteFrame(f, lab());
  REQUIRE(r.lab);
  CHECK(r.source == ipv4(10, 3, 4, 5));
  CHECK(r.destination == ipv4(10, 0, 0, 100));
  CHECK(at(f, 26) == ipv4(10, 3, 4, 5));
  CHECK(at(f, 30) == ipv4(10, 0, 0, 100));
  CHECK(std::vector<std::uint8_t>(f.begin(), f.begin() + 6) ==
        std::vector<std::uint8_t>{2, 0, 10, 0, 0, 100});
  CHECK(std::vector<std::uint8_t>(f.begin() + 6, f.begin() + 12) ==
        std::vector<std::uint8_t>{2, 0, 10, 3, 4, 5});
  CHECK(internetChecksum(std::span<const std::uint8_t>(f.data() + 14, 20)) == 0);
  CHECK(l4ChecksumValid(f));
  CHECK(f.back() == '/');  // the payload is untouched
}

TEST_CASE("capture: 127.0.0.1's other ports are the caller the server port names, else the runner") {
  auto toNode = frame(6, ipv4(127, 0, 0, 1), 52000, ipv4(127, 0, 0, 1), kNodePort, {});
  REQUIRE(rewriteFrame(toNode, lab()).source == ipv4(10, 0, 0, 99));
  auto fromNode = frame(6, ipv4(127, 0, 0, 1), kNodePort, ipv4(127, 0, 0, 1), 52000, {1});
  const FrameRewrite back = rewriteFrame(fromNode, lab());
  CHECK(back.source == ipv4(10, 0, 0, 101));
  CHECK(back.destination == ipv4(10, 0, 0, 99));
  auto probe = frame(6, ipv4(127, 0, 0, 1), 52001, ipv4(127, 0, 0, 1), kLbPort, {});
  CHECK(rewriteFrame(probe, lab()).source == lab().otherLocal.address);
}

TEST_CASE("capture: a KDC datagram keeps a valid UDP checksum and frames of other programs are left out") {
  auto asReq = frame(17, ipv4(127, 1, 0, 7), 53000, ipv4(127, 0, 0, 1), kKdcPort, {0x6a, 0x81, 0x01});
  const FrameRewrite r = rewriteFrame(asReq, lab());
  REQUIRE(r.lab);
  CHECK(r.destination == ipv4(10, 0, 0, 10));
  CHECK(l4ChecksumValid(asReq));

  auto foreign = frame(6, ipv4(127, 0, 0, 1), 53001, ipv4(127, 0, 0, 1), 8080, {1, 2});
  const auto before = foreign;
  CHECK_FALSE(rewriteFrame(foreign, lab()).lab);
  CHECK(foreign == before);
  // A lab port on another loopback address is not the lab's server.
  auto elsewhere = frame(6, ipv4(127, 0, 0, 2), 53002, ipv4(127, 0, 0, 3), kLbPort, {});
  CHECK_FALSE(rewriteFrame(elsewhere, lab()).lab);
  // Truncated and non-IPv4 frames.
  auto cut = frame(6, ipv4(127, 3, 4, 5), 51000, ipv4(127, 0, 0, 1), kLbPort, {1, 2, 3});
  cut.resize(40);
  CHECK_FALSE(rewriteFrame(cut, lab()).lab);
  auto arp = frame(6, ipv4(127, 3, 4, 5), 51000, ipv4(127, 0, 0, 1), kLbPort, {});
  arp[13] = 0x06;
  CHECK_FALSE(rewriteFrame(arp, lab()).lab);
}

TEST_CASE("capture: lab addresses are named after their hosts and workstations") {
  LabNetwork n = lab();
  CHECK(n.nameOf(ipv4(10, 0, 0, 10)) == "DC01");
  CHECK(n.nameOf(ipv4(10, 0, 0, 99)) == "load balancer");
  CHECK(n.nameOf(ipv4(10, 2, 0, 9)) == "ws-2-0-9");
  n.workstationName = [](std::uint32_t loopback) { return "WS" + std::to_string(loopback & 0xff); };
  CHECK(n.nameOf(ipv4(10, 2, 0, 9)) == "WS9");
  CHECK(n.nameOf(ipv4(192, 168, 0, 1)).empty());
  CHECK(formatIpv4(ipv4(10, 0, 0, 100)) == "10.0.0.100");
}
