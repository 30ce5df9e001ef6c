// Fuzz target: `kerbpool run --pcap`'s frame rewriting (capture/lab_network). Every frame on the loopback
// interface that passes the kernel's port filter reaches it, whoever sent it. The input is a frame; the lab
// is the ports of the reference MIT capture (a KDC on 18888, a node on 18080 called by the balancer).
// Checked: a frame that is not the lab's is left as it was; a lab frame comes out with lab addresses, a valid
// IPv4 header checksum and a valid TCP or UDP checksum, and its length unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/lab_network.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace kerbpool;
using namespace kerbpool::capture;

namespace {

const LabNetwork& lab() {
  static const LabNetwork n = [] {
    LabNetwork l;
    l.servers[18888] = {"DC01.contoso.test", ipv4(10, 0, 0, 10), 88};
    l.servers[18080] = {"fe01.contoso.test", ipv4(10, 0, 0, 101), 443};
    l.callersOf[18080] = {"pool.contoso.test", ipv4(10, 0, 0, 100), 0};
    return l;
  }();
  return n;
}

bool labAddress(std::uint32_t a) {
  return (a >> 24) == 10;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> frame(data, data + size);
  const FrameRewrite r = rewriteFrame(frame, lab());
  if (!r.lab) {
    fuzz::check(std::equal(frame.begin(), frame.end(), data), "a frame not of the lab was changed");
    return 0;
  }
  fuzz::check(frame.size() == size, "the frame changed length");
  fuzz::check(labAddress(r.source) && labAddress(r.destination), "a lab frame without lab addresses");
  const std::size_t ihl = static_cast<std::size_t>(frame[14] & 0x0f) * 4;
  const std::size_t total = static_cast<std::size_t>(frame[16]) << 8 | frame[17];
  fuzz::check(internetChecksum(std::span<const std::uint8_t>(frame.data() + 14, ihl)) == 0,
              "bad IPv4 header checksum");
  std::vector<std::uint8_t> pseudo(frame.begin() + 26, frame.begin() + 34);
  pseudo.push_back(0);
  pseudo.push_back(frame[23]);
  pseudo.push_back(static_cast<std::uint8_t>((total - ihl) >> 8));
  pseudo.push_back(static_cast<std::uint8_t>(total - ihl));
  pseudo.insert(pseudo.end(), frame.begin() + 14 + static_cast<std::ptrdiff_t>(ihl),
                frame.begin() + 14 + static_cast<std::ptrdiff_t>(total));
  fuzz::check(internetChecksum(pseudo) == 0, "bad TCP/UDP checksum");
  return 0;
}
