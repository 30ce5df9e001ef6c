#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

namespace kerbpool::kdc {

enum class Transport { Udp, Tcp };

// What the network layer hands to the protocol layer: one request's bytes and how they came.
struct RequestContext {
  Transport transport = Transport::Udp;
  std::string peer;  // "127.0.0.1:53211"
};

// Protocol logic behind the sockets (after MIT's dispatch.c): bytes in, reply bytes out, or nullopt to drop
// the request silently (what a KDC does with datagrams that are not Kerberos at all). An oversized UDP reply
// must already have been turned into KRB_ERR_RESPONSE_TOO_BIG by the dispatcher.
class KdcDispatcher {
 public:
  virtual ~KdcDispatcher() = default;
  virtual std::optional<core::Bytes> dispatch(core::BytesView request, const RequestContext& ctx) = 0;
  // The reply to a TCP frame whose length has the reserved top bit set or exceeds the limit
  // (KRB_ERR_FIELD_TOOLONG, RFC 4120 7.2.2); the connection is closed afterwards.
  virtual core::Bytes fieldTooLong() = 0;
};

struct KdcServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port, the same number for UDP and TCP
  unsigned threads = 0;    // UDP receivers, and as many TCP I/O threads; 0: one per core
  std::size_t maxTcpRequest = 64 * 1024;
  std::chrono::milliseconds tcpIdleTimeout{30000};
  // Open TCP connections at once, in all and from one address (MIT's krb5kdc keeps a fixed table too); a
  // connection over either limit is closed at once.
  std::size_t maxTcpConnections = 1024;
  std::size_t maxTcpConnectionsPerSource = 256;
};

struct KdcServerStats {
  std::uint64_t udpRequests = 0;
  std::uint64_t tcpRequests = 0;
  std::uint64_t tcpConnections = 0;
  std::uint64_t dropped = 0;
  std::uint64_t tcpFramingErrors = 0;
  std::uint64_t tcpRejected = 0;        // over maxTcpConnections / maxTcpConnectionsPerSource
  std::uint64_t handlerExceptions = 0;  // escaped a handler; the connection was dropped, the KDC went on
  std::uint64_t udpHelperCalls = 0;     // times the UDP receiver found a backlog and called a helper in
  std::uint64_t udpIdleHelpers = 0;     // helpers waiting to be called in, now
};

// The KDC's sockets: UDP and TCP (4-octet big-endian length prefix) on one address and port. Requests are
// processed on a pool of threads so every core is used; each TCP connection may carry several requests.
// UDP: one receiver thread answers datagrams as they come; the other `threads - 1` help only while datagrams
// queue up behind it (see kdc_server.cpp).
class KdcServer {
 public:
  // Binds and starts serving. A taken port is a plain error naming the address and port.
  static core::Result<std::unique_ptr<KdcServer>> start(const KdcServerConfig& config,
                                                        KdcDispatcher& dispatcher);
  ~KdcServer();
  KdcServer(const KdcServer&) = delete;
  KdcServer& operator=(const KdcServer&) = delete;

  std::uint16_t port() const;
  const std::string& address() const;
  KdcServerStats stats() const;
  // Blocks until `condition` holds for the counters, woken by their changes (no polling); false if it still
  // does not when the timeout passes. Only the UDP helpers' idle count signals its changes so far.
  bool waitForStats(const std::function<bool(const KdcServerStats&)>& condition,
                    std::chrono::milliseconds timeout) const;
  // Stops accepting, closes sockets and joins the threads. Idempotent.
  void stop();

  struct Impl;
  struct Runtime;

 private:
  KdcServer(std::unique_ptr<Runtime> runtime, std::shared_ptr<Impl> impl);
  // Destroyed after impl_: tearing down the io_context releases the handlers' references to Impl.
  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<Impl> impl_;  // shared with in-flight handlers
};

}  // namespace kerbpool::kdc
