#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "loadbalancer/backend_pool.hpp"

namespace kerbpool::loadbalancer {

// The balancer's own counters (per node counters live in BackendPool).
struct LbTotals {
  std::uint64_t clientConnections = 0;  // accepted
  std::uint64_t activeClientConnections = 0;
  std::uint64_t rejectedConnections = 0;  // over maxClientConnections or maxClientConnectionsPerSource
  std::uint64_t requests = 0;             // http: requests read from clients
  std::uint64_t badRequests = 0;          // 400, 413, 431
  std::uint64_t badGateway = 0;           // 502
  std::uint64_t serviceUnavailable = 0;   // 503 (http) or refused connections (tcp) with no node available
  std::uint64_t retries = 0;              // attempts repeated on another connection or node
  std::uint64_t timeouts = 0;             // client or upstream operations that timed out
  std::uint64_t tlsHandshakeFailures = 0;
  std::uint64_t healthTransitions = 0;
  std::uint64_t handlerExceptions = 0;  // escaped a handler: that connection dropped, the balancer went on
  std::uint64_t privateConnections =
      0;  // haproxy model: node connections an NTLM/Negotiate challenge made private
};

struct LbStats {
  LbTotals totals;
  std::vector<BackendStats> backends;
};

// The live counters behind LbTotals, shared by sessions on every thread.
struct LbCounters {
  std::atomic<std::uint64_t> clientConnections{0};
  std::atomic<std::uint64_t> activeClientConnections{0};
  std::atomic<std::uint64_t> rejectedConnections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> badRequests{0};
  std::atomic<std::uint64_t> badGateway{0};
  std::atomic<std::uint64_t> serviceUnavailable{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> tlsHandshakeFailures{0};
  std::atomic<std::uint64_t> healthTransitions{0};
  std::atomic<std::uint64_t> handlerExceptions{0};
  std::atomic<std::uint64_t> privateConnections{0};

  LbTotals snapshot() const {
    return LbTotals{clientConnections.load(),
                    activeClientConnections.load(),
                    rejectedConnections.load(),
                    requests.load(),
                    badRequests.load(),
                    badGateway.load(),
                    serviceUnavailable.load(),
                    retries.load(),
                    timeouts.load(),
                    tlsHandshakeFailures.load(),
                    healthTransitions.load(),
                    handlerExceptions.load(),
                    privateConnections.load()};
  }
};

// A printable summary: one line of totals, then one line per node.
std::string formatStats(const LbStats& stats);

}  // namespace kerbpool::loadbalancer
