#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/common/result.hpp"

// The lab's explicit HTTP forward proxy (`kerbpool serve --proxy-port`): how a browser reaches the pool by
// its name. A browser resolves a name itself and, for Negotiate, builds the SPN from what the resolver
// answers (HTTP/127.0.0.1 when a hosts-file line maps the name); through a proxy it sends the name as typed,
// and the proxy resolves it from the scenario's DNS records to the load balancer's (or a node's) loopback
// port.
//   CONNECT host:port (https): 200, then bytes relayed both ways (TLS end to end, browser to balancer).
//   GET http://host[:port]/path (absolute form, plain http): the request line rewritten to origin form, the
//   rest relayed as it is; the proxy connection then stays tied to that origin.
// Names that are not the lab's get 403 (nothing leaves loopback); a malformed request 400; a request head
// over 16 KiB 431. At most `maxConnections` at once, each closed after `idleTimeout` without traffic. Plain
// POSIX sockets and one thread per connection: a lab proxy serves one or a few browsers.
namespace kerbpool::lab {

struct ForwardProxyConfig {
  std::uint16_t port = 0;  // on 127.0.0.1; 0: a free one
  std::size_t maxConnections = 256;
  std::chrono::milliseconds idleTimeout{120000};
  // The loopback port that serves `host` (lower case) for a request to `port`; nullopt: not a name of the
  // lab.
  std::function<std::optional<std::uint16_t>(const std::string& host, std::uint16_t port)> resolve;
};

struct ForwardProxyStats {
  std::uint64_t tunnels = 0;    // CONNECT
  std::uint64_t forwarded = 0;  // absolute-form requests
  std::uint64_t refused = 0;    // 403: not a name of the lab
  std::uint64_t bad = 0;        // 400, 431, 502
};

// Parses a proxy request's first line. CONNECT: authority "host:port"; otherwise an absolute http URL.
// Returns the lower-case host, the port (80 by default for http) and the origin-form target ("/path?q").
struct ProxyTarget {
  bool connect = false;
  std::string host;
  std::uint16_t port = 0;
  std::string originForm;
};
core::Result<ProxyTarget> parseProxyRequestLine(const std::string& method, const std::string& target);

class ForwardProxy {
 public:
  static core::Result<std::unique_ptr<ForwardProxy>> start(ForwardProxyConfig config);
  ~ForwardProxy();
  ForwardProxy(const ForwardProxy&) = delete;
  ForwardProxy& operator=(const ForwardProxy&) = delete;

  std::uint16_t port() const { return port_; }
  ForwardProxyStats stats() const;
  // Closes the listener and every connection, joins the threads. Idempotent.
  void stop();

  struct State;

 private:
  ForwardProxy(ForwardProxyConfig config, int listenFd, std::uint16_t port);
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
};

}  // namespace kerbpool::lab
