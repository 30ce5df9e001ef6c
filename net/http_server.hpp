#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/common/result.hpp"
#include "net/http_message.hpp"
#include "net/in_process_http.hpp"
#include "net/tls_files.hpp"

namespace kerbpool::net {

struct HttpServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port, see HttpServer::port()
  unsigned threads = 1;    // 0: one per core
  // Threads for requests the handler says may block (HttpHandler::mayBlock); 0: every request runs on the
  // I/O threads.
  unsigned blockingThreads = 0;
  std::optional<TlsFiles> tls;  // set: HTTPS only (TLS 1.2 and 1.3) on this port
  // Request line plus header fields, in octets (in the spirit of IIS's MaxRequestBytes): a larger request
  // gets 431 Request Header Fields Too Large and the connection is closed.
  std::size_t headerLimit = 16 * 1024;
  std::size_t bodyLimit = 1 << 20;  // larger: 413 and close
  // Bounds every read of a request (and every write and TLS handshake); the first request of a connection
  // must arrive within it.
  std::chrono::milliseconds readTimeout{30000};
  // How long a connection may sit idle between requests.
  std::chrono::milliseconds keepAliveTimeout{120000};
  std::string serverName;  // Server header, e.g. "kerbpool-frontend/fe01"; empty: none
  // Open connections at once, in all and from one source address (0: no cap); a connection over a cap is
  // closed as soon as it is accepted and counted in rejectedConnections. Behind a load balancer every
  // connection comes from the balancer's address: raise the per-source cap there.
  std::size_t maxConnections = 10000;
  std::size_t maxConnectionsPerSource = 1000;
};

struct HttpServerStats {
  std::uint64_t connections = 0;  // accepted
  std::uint64_t activeConnections = 0;
  std::uint64_t requests = 0;        // handed to the handler
  std::uint64_t badRequests = 0;     // malformed: 400
  std::uint64_t headerTooLarge = 0;  // 431
  std::uint64_t bodyTooLarge = 0;    // 413
  std::uint64_t timeouts = 0;        // idle, slow or stalled connections closed
  std::uint64_t tlsHandshakeFailures = 0;
  std::uint64_t handlerExceptions = 0;    // escaped a handler: that connection dropped, the server went on
  std::uint64_t rejectedConnections = 0;  // over maxConnections or maxConnectionsPerSource: closed at once
};

// The I/O of a front-end node (and of the echo backends): an HTTP/1.1 server (plain or TLS) on Boost.Beast
// that hands each request to an HttpHandler. Keep-alive is honoured (HTTP/1.1 default, Connection: close);
// pipelined requests are answered in order, one at a time. Malformed or oversized requests are answered
// (400/413/431) and the connection is closed; the server keeps serving.
class HttpServer {
 public:
  // Binds, loads the TLS files when configured and starts the threads. A taken port is an Io error naming
  // address:port; unreadable TLS files are a Config error naming the file. `handler` must outlive the server.
  static core::Result<std::unique_ptr<HttpServer>> start(const HttpServerConfig& config,
                                                         HttpHandler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  const std::string& address() const;
  bool tls() const;
  HttpServerStats stats() const;
  // Blocks until `condition` holds for the counters, woken by their changes (no polling); false if it
  // still does not when the timeout passes.
  bool waitForStats(const std::function<bool(const HttpServerStats&)>& condition,
                    std::chrono::milliseconds timeout) const;
  // What a restart of the web service (iisreset) does to the clients: every connection is closed, idle
  // ones at once, busy ones right after the response they are working on (which carries Connection: close),
  // so clients reconnect and authenticate again. The server keeps accepting. Returns how many were open.
  std::size_t recycleConnections();
  // A connection of the in-process transport (net/in_process_http.hpp) from `peer`, served by the same
  // handler, limits, counters and recycling as a TCP connection, on the caller's thread (a request that may
  // block runs there too, not on the blocking pool). Plain HTTP only. Errors (Io): connect_failed (a TLS
  // server, over the connection caps, stopped).
  core::Result<std::unique_ptr<InProcessHttpConnection>> connectInProcess(const std::string& peer);
  // Stops accepting, closes every connection, waits for running handlers and joins the threads. Idempotent;
  // must not be called from inside handle().
  void stop();

  struct Impl;
  struct Runtime;

 private:
  HttpServer(std::unique_ptr<Runtime> runtime, std::unique_ptr<Impl> impl);
  // Destroyed after impl_: the io_context outlives the shared state its pending handlers may still hold.
  std::unique_ptr<Runtime> runtime_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kerbpool::net
