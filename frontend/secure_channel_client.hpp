#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "frontend/secure_channel.hpp"

// The secure channel of a standalone `kerbpool frontend` to a `kerbpool kdc` in another process, over
// kerbpool's Netlogon stand-in protocol (docs/netlogon-wire.md; not MS-NRPC). Blocking POSIX sockets, one
// connection per concurrent call, kept open for reuse (at most MaxConcurrentApi are ever in use).
namespace kerbpool::frontend {

struct NetlogonClientConfig {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal
  std::uint16_t port = 0;
  std::chrono::milliseconds ioTimeout{10000};  // per send/receive
};

class NetworkSecureChannel final : public SecureChannel {
 public:
  // The throttle must outlive the channel.
  NetworkSecureChannel(NetlogonClientConfig config, ChannelThrottle& throttle);
  ~NetworkSecureChannel() override;
  NetworkSecureChannel(const NetworkSecureChannel&) = delete;
  NetworkSecureChannel& operator=(const NetworkSecureChannel&) = delete;

  // Errors: Io "netlogon_connect_failed" / "netlogon_io" (DC unreachable, connection lost, timeout),
  // Decoding from the reply's decoder, Protocol "request_id_mismatch".
  core::Result<PassThroughResponse> validate(const PassThroughRequest& request) override;

 private:
  core::Result<PassThroughResponse> roundTrip(const PassThroughRequest& request);
  core::Result<PassThroughResponse> exchange(int fd, std::uint32_t requestId, const core::Bytes& frame);
  core::Result<int> connectSocket() const;
  int takeIdle();
  void putIdle(int fd);

  NetlogonClientConfig config_;
  ChannelThrottle& throttle_;
  std::mutex mu_;
  std::vector<int> idle_;
  std::atomic<std::uint32_t> nextRequestId_{1};
};

}  // namespace kerbpool::frontend
