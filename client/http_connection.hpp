#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/http_message.hpp"
#include "core/common/result.hpp"

// The workstation's HTTP/1.1 client connection: blocking, one TCP connection (optionally TLS) reused across
// requests, every wait bounded. The header is free of Asio/Beast; http_connection.cpp is the client's only
// HTTP I/O file (POSIX sockets, TLS and parsing through Boost.Asio ssl and Beast).
namespace kerbpool::net {
class InProcessHttpNetwork;
}

namespace kerbpool::client {

struct HttpTlsOptions {
  std::string serverName;  // SNI, and the name the certificate must carry (RFC 6125)
  std::string caFile;      // PEM trust anchors; empty: the system's default store
  bool verifyPeer = true;
};

struct HttpConnectionOptions {
  std::string address = "127.0.0.1";  // numeric IPv4 or IPv6 address to connect to
  std::uint16_t port = 80;
  // Bind the connection to this local address first (numeric, same family as `address`); empty: the
  // system's choice. A simulation gives every workstation its own loopback address (127.x.y.z).
  std::string sourceAddress;
  std::string hostHeader;  // "pool.contoso.test:8443"; empty: the address
  std::optional<HttpTlsOptions> tls;
  std::chrono::milliseconds connectTimeout{3000};   // TCP connect plus TLS handshake
  std::chrono::milliseconds requestTimeout{10000};  // writing the request and reading the whole response
  std::size_t headerLimit = 16 * 1024;              // status line and header fields, octets
  std::size_t bodyLimit = 1 << 20;
  // false: every request carries "Connection: close" and gets a fresh connection.
  bool keepAlive = true;
};

struct HttpClientStats {
  std::uint64_t connections = 0;  // TCP connections opened
  std::uint64_t tlsHandshakes = 0;
  std::uint64_t requests = 0;
  std::uint64_t reusedRequests = 0;  // sent on a connection that had carried an earlier request
  std::uint64_t staleRetries = 0;    // a kept-alive connection the server had closed: resent on a new one
  std::uint64_t timeouts = 0;
  std::uint64_t failures = 0;  // send() errors
};

// What many connections share: the TLS contexts (one per CA file, loaded once) and the counters. No threads,
// nothing runs in the background. Thread-safe; must outlive its connections.
class HttpClientRuntime {
 public:
  HttpClientRuntime();
  ~HttpClientRuntime();
  HttpClientRuntime(const HttpClientRuntime&) = delete;
  HttpClientRuntime& operator=(const HttpClientRuntime&) = delete;

  HttpClientStats stats() const;
  // From now on, plain-HTTP connections to an address and port that `network` serves go through it, in
  // process, instead of a socket (a scenario's in-process transport); everything else still uses sockets.
  // Set before connections are opened; `network` must outlive them.
  void useInProcessNetwork(net::InProcessHttpNetwork* network);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// One client connection to one origin. Connects on the first send(); keeps the connection while both sides
// allow it (HTTP/1.1 keep-alive), reconnects when it is gone. A request on a kept-alive connection that the
// server closed meanwhile is sent once more on a new connection (GET, HEAD, OPTIONS only), as browsers do:
// connectionSerial tells the caller (NTLM's legs must share one connection). Not thread-safe: one user.
class HttpConnection {
 public:
  HttpConnection(HttpClientRuntime& runtime, HttpConnectionOptions options);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Errors: Io connect_failed, connect_timeout, tls_handshake_failed (the verification failure named),
  // timeout, connection_closed (before the whole response), io_failed; Config bad_address, bad_ca_file;
  // Encoding bad_request (a method, target or field that would break the request line or header);
  // Decoding bad_response, response_header_too_large, response_body_too_large. After an error the
  // connection is closed.
  core::Result<HttpClientResponse> send(const HttpClientRequest& request);

  bool isOpen() const;
  // The current (or last) connection's serial, 0 before the first connect.
  std::uint64_t serial() const;
  // RFC 5929 tls-server-end-point of the certificate the server presented on the current (or last) TLS
  // connection: what Windows binds Kerberos and NTLM to over HTTPS. Empty for plain HTTP.
  const std::vector<std::uint8_t>& tlsServerEndPoint() const;
  void close();
  const HttpConnectionOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kerbpool::client
