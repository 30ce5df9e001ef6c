#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "client/kdc_transport.hpp"
#include "kdc/kdc_server.hpp"

// The "in-process" transport of a scenario (Scenario::transport) between a workstation and its domain
// controllers: the request's DER goes to the DC's KDC service exactly as the KDC's UDP or TCP listener would
// hand it over, and the reply's DER comes back, with no socket in between. The client's rules of
// client::KdcNetwork are kept, so that both transports give the same messages and outcomes: a request over
// the UDP preference limit goes as a TCP frame first; a UDP reply that is KRB_ERR_RESPONSE_TOO_BIG is asked
// again as a TCP frame; a request the KDC drops (not Kerberos) counts as no reply, and the next DC is asked.
namespace kerbpool::scenarios {

struct InProcessKdcStats {
  std::uint64_t udpExchanges = 0;
  std::uint64_t tcpExchanges = 0;
  std::uint64_t tooBigRetries = 0;
  std::uint64_t failures = 0;
};

// The DCs one workstation's DC locator gives, in the order it tries them. Shared by many workstations
// (thread-safe); the dispatchers must outlive it.
class InProcessKdcNetwork {
 public:
  struct Dc {
    std::string name;  // "DC01", for messages
    kdc::KdcDispatcher* kdc = nullptr;
  };
  explicit InProcessKdcNetwork(std::vector<Dc> dcs, std::size_t udpPreferenceLimit = 1465);

  // Errors (Io): kdc_unreachable "no KDC answered: DC01: UDP: the KDC dropped the request (not a Kerberos
  // message), TCP: ...", no_kdc (no DC).
  core::Result<core::Bytes> exchangeFrom(const std::string& source, core::BytesView request);
  InProcessKdcStats stats() const;

 private:
  std::vector<Dc> dcs_;
  std::size_t udpPreferenceLimit_;
  std::atomic<std::uint32_t> port_{0};
  std::atomic<std::uint64_t> udp_{0};
  std::atomic<std::uint64_t> tcp_{0};
  std::atomic<std::uint64_t> tooBig_{0};
  std::atomic<std::uint64_t> failures_{0};
};

// One workstation's view: its exchanges come from its own address (as the KDC's events show it).
class InProcessKdcTransport final : public client::KdcTransport {
 public:
  InProcessKdcTransport(InProcessKdcNetwork& network, std::string source)
      : network_(network), source_(std::move(source)) {}
  core::Result<core::Bytes> exchange(core::BytesView request) override {
    return network_.exchangeFrom(source_, request);
  }

 private:
  InProcessKdcNetwork& network_;
  std::string source_;
};

}  // namespace kerbpool::scenarios
