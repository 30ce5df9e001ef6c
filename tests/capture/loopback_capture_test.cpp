#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "capture/loopback_capture.hpp"
#include "tests/support/pcapng.hpp"
#include "tests/support/reference.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using namespace kerbpool::capture;

namespace {

struct UdpSocket {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ~UdpSocket() { ::close(fd); }
  std::uint16_t bind(const char* address) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &a.sin_addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t n = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n) == 0);
    return ntohs(a.sin_port);
  }
};

sockaddr_in at(const char* address, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &a.sin_addr);
  return a;
}

}  // namespace

TEST_CASE("capture: a datagram exchange on loopback is captured once each way, with the lab's addresses") {
  UdpSocket kdc;
  UdpSocket workstation;
  UdpSocket stranger;
  const std::uint16_t kdcPort = kdc.bind("127.0.0.1");
  const std::uint16_t wsPort = workstation.bind("127.4.0.9");
  stranger.bind("127.0.0.1");

  test::TempDir dir;
  CaptureOptions o;
  o.path = (dir / "lab.pcapng").string();
  o.network.servers[kdcPort] = {"DC01", ipv4(10, 0, 0, 10)};
  auto capture = LoopbackCapture::start(o);
  if (!capture.ok() && capture.error().code == "capture_permission" && std::getenv("CI") == nullptr) {
    WARN("not run: " << capture.error().detail);
    return;
  }
  REQUIRE(capture.ok());

  const char request[] = "AS-REQ";
  const char reply[] = "KRB-ERROR!";
  const sockaddr_in toKdc = at("127.0.0.1", kdcPort);
  REQUIRE(::sendto(workstation.fd, request, 6, 0, reinterpret_cast<const sockaddr*>(&toKdc), sizeof toKdc) ==
          6);
  char buffer[64];
  sockaddr_in from{};
  socklen_t fromLength = sizeof from;
  REQUIRE(::recvfrom(kdc.fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &fromLength) == 6);
  REQUIRE(::sendto(kdc.fd, reply, 10, 0, reinterpret_cast<const sockaddr*>(&from), fromLength) == 10);
  // Not the lab's: another program's datagram to another port.
  const sockaddr_in toStranger = at("127.4.0.9", wsPort);
  REQUIRE(::sendto(stranger.fd, "x", 1, 0, reinterpret_cast<const sockaddr*>(&toStranger),
                   sizeof toStranger) == 1);

  auto summary = (*capture)->stop();
  REQUIRE(summary.ok());
  CHECK(summary->packets == 2);
  CHECK(summary->dropped == 0);
  CHECK(summary->hosts == 2);
  const auto packets = test::readPcapngPayloads(test::readFile(o.path));
  REQUIRE(packets.size() == 2);
  CHECK(packets[0].udp);
  CHECK(packets[0].dstPort == kdcPort);
  CHECK(std::string(packets[0].payload.begin(), packets[0].payload.end()) == "AS-REQ");
  CHECK(packets[1].srcPort == kdcPort);
  CHECK(std::string(packets[1].payload.begin(), packets[1].payload.end()) == "KRB-ERROR!");
  // The addresses in the file are the lab's (readPcapngPayloads gives ports only: read them directly).
  const core::Bytes file = test::readFile(o.path);
  const std::string text(file.begin(), file.end());
  CHECK(text.find(std::string("\x0a\x04\x00\x09\x0a\x00\x00\x0a", 8)) !=
        std::string::npos);                       // 10.4.0.9 -> 10.0.0.10
  CHECK(text.find("DC01") != std::string::npos);  // the name resolution block
}
