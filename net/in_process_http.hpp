#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/common/result.hpp"

// The HTTP side of a scenario's in-process transport (Scenario::transport "in-process"): a workstation's
// connection to the VIP, and the balancer's connections to the nodes, carry the same HTTP/1.1 octets as over
// loopback, handed from one component to the next without a socket. Each server parses, handles and frames
// them as its TCP sessions do (limits, refusals, keep-alive, Connection: close, recycling), so outcomes
// match; what is left out is the kernel and the timing of real sockets. No Asio or Beast in this header.
namespace kerbpool::net {

// One connection. Not thread-safe: one user, as a socket.
class InProcessHttpConnection {
 public:
  virtual ~InProcessHttpConnection() = default;
  // One whole request's octets in, the whole response's octets out. Errors (Io): connection_closed, when the
  // server had closed this connection before the request (after a response that said close, a recycle, a
  // stop): nothing was handled, as when a kept-alive socket turns out closed.
  virtual core::Result<std::string> exchange(std::string_view request) = 0;
  // The server has closed this connection.
  virtual bool closed() const = 0;
};

// A listening server's side: opens a connection from `peer` ("127.1.0.7:41000"). Errors (Io):
// connect_failed (the server is stopped, or refuses the connection over its caps).
using InProcessHttpListener =
    std::function<core::Result<std::unique_ptr<InProcessHttpConnection>>(const std::string& peer)>;

// Who listens where, by address and port, as the loopback network would route it. Thread-safe.
class InProcessHttpNetwork {
 public:
  void listen(const std::string& address, std::uint16_t port, InProcessHttpListener listener);
  bool serves(const std::string& address, std::uint16_t port) const;
  // Connections opened so far (to any listener, refused ones included).
  std::uint64_t connections() const;
  // From `source` (an address; a port is made up per connection, as the kernel would pick one). Errors (Io):
  // connect_failed "connection refused" when nothing listens there, or the listener's refusal.
  core::Result<std::unique_ptr<InProcessHttpConnection>> connect(const std::string& source,
                                                                 const std::string& address,
                                                                 std::uint16_t port);

 private:
  mutable std::mutex mu_;
  std::map<std::string, InProcessHttpListener> listeners_;  // by "address:port"
  std::uint64_t connections_ = 0;
};

}  // namespace kerbpool::net
