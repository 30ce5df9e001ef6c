#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/common/result.hpp"
#include "kdc/netlogon.hpp"

// The DC's Netlogon listener for front-ends in other processes (kerbpool's stand-in for MS-NRPC over TCP,
// docs/netlogon-wire.md). Loopback only: the replies carry SessionBaseKeys in the clear.
namespace kerbpool::kdc {

struct NetlogonServerConfig {
  std::string address = "127.0.0.1";  // must be a loopback address
  std::uint16_t port = 0;             // 0: any free port
  unsigned threads = 2;
  std::chrono::milliseconds idleTimeout{30000};
};

struct NetlogonServerStats {
  std::uint64_t connections = 0;
  std::uint64_t requests = 0;       // frames answered (including malformed ones)
  std::uint64_t framingErrors = 0;  // bad length prefix (connection closed) or truncated frame
};

class NetlogonServer {
 public:
  virtual ~NetlogonServer() = default;
  virtual std::uint16_t port() const = 0;
  virtual NetlogonServerStats stats() const = 0;
  // Stops accepting, closes connections and joins the threads. Idempotent; the destructor calls it.
  virtual void stop() = 0;
};

// Binds and serves `service` until stopped. Config "not_loopback" / "bad_address"; Io "listen_failed".
// The service must outlive the server.
core::Result<std::unique_ptr<NetlogonServer>> startNetlogonServer(const NetlogonServerConfig& config,
                                                                  NetlogonService& service);

}  // namespace kerbpool::kdc
