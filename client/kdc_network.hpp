#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client/kdc_transport.hpp"

// The only file of the client that touches sockets (gokrb5's client/network.go): POSIX UDP and TCP.
namespace kerbpool::client {

struct KdcAddress {
  std::string host = "127.0.0.1";  // numeric address or a name resolved with getaddrinfo
  std::uint16_t port = 88;
  std::string text() const;  // "127.0.0.1:88", "[::1]:88"
};

struct KdcNetworkOptions {
  std::vector<KdcAddress> kdcs;  // tried in order
  // Requests larger than this go over TCP first (MIT udp_preference_limit, default 1465).
  std::size_t udpPreferenceLimit = 1465;
  std::chrono::milliseconds udpTimeout{1000};  // per datagram attempt
  int udpAttempts = 2;
  std::chrono::milliseconds tcpTimeout{3000};  // connect, and the whole exchange after it
  std::size_t maxTcpReply = 1 << 20;
};

struct KdcNetworkStats {
  std::uint64_t udpExchanges = 0;
  std::uint64_t tcpExchanges = 0;
  std::uint64_t tooBigRetries = 0;  // KRB_ERR_RESPONSE_TOO_BIG answered by retrying over TCP
  std::uint64_t failures = 0;
};

// UDP first; TCP (4-octet big-endian length prefix, RFC 4120 7.2.2) when the request is larger than
// udpPreferenceLimit or the UDP reply is KRB_ERR_RESPONSE_TOO_BIG (52). When the preferred transport
// fails (no answer, refused) the other is tried, then the next KDC. Every wait is bounded.
// Errors (Io): kdc_unreachable "KDC 127.0.0.1:PORT unreachable: UDP: no reply within 1000 ms, TCP:
// connection refused" (every KDC and transport tried), no_kdc (empty list), bad_tcp_reply (length
// with the reserved bit, or over maxTcpReply).
class KdcNetwork final : public KdcTransport {
 public:
  explicit KdcNetwork(KdcNetworkOptions options);
  core::Result<core::Bytes> exchange(core::BytesView request) override;
  // The same from a workstation's own address (numeric IPv4 or IPv6; empty: any), so that the KDC, its
  // events and a capture see which workstation asked. An address that cannot be bound is an Io error.
  core::Result<core::Bytes> exchangeFrom(const std::string& source, core::BytesView request);
  KdcNetworkStats stats() const;

 private:
  core::Result<core::Bytes> exchangeUdp(const KdcAddress& kdc, const std::string& source,
                                        core::BytesView request);
  core::Result<core::Bytes> exchangeTcp(const KdcAddress& kdc, const std::string& source,
                                        core::BytesView request);

  KdcNetworkOptions options_;
  std::atomic<std::uint64_t> udp_{0};
  std::atomic<std::uint64_t> tcp_{0};
  std::atomic<std::uint64_t> tooBig_{0};
  std::atomic<std::uint64_t> failures_{0};
};

// One workstation's view of a shared KdcNetwork: its exchanges leave from `source`.
class SourcedKdcTransport final : public KdcTransport {
 public:
  SourcedKdcTransport(KdcNetwork& network, std::string source)
      : network_(network), source_(std::move(source)) {}
  core::Result<core::Bytes> exchange(core::BytesView request) override {
    return network_.exchangeFrom(source_, request);
  }

 private:
  KdcNetwork& network_;
  std::string source_;
};

}  // namespace kerbpool::client
