#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kerbpool::net {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The challenge field of RFC 9110 11.6.1, as IIS spells it.
inline constexpr std::string_view kWwwAuthenticate = "WWW-Authenticate";

// One HTTP request as the server parsed it, without Beast types: what the auth layer and request logic see.
struct HttpRequest {
  std::string method;     // "GET", as sent
  std::string target;     // "/path?query", as sent
  unsigned version = 11;  // 10 or 11 (HTTP/1.0, HTTP/1.1)
  HeaderList headers;     // in arrival order, names as sent; repeated fields stay separate entries
  std::string body;
  std::string peer;  // "127.0.0.1:53211"
  bool tls = false;

  // The first field with this name (ASCII case-insensitive), or nullopt. The view points into `headers`.
  std::optional<std::string_view> header(std::string_view name) const;
  // Every field with this name, in order (e.g. two Authorization headers are a client error to detect).
  std::vector<std::string_view> headerValues(std::string_view name) const;
};

// The reply. Headers are sent in order and may repeat: IIS sends `WWW-Authenticate: Negotiate` and
// `WWW-Authenticate: NTLM` as two separate fields. The server adds Content-Length, Connection and (unless
// present) Server; a HEAD request gets the headers only.
struct HttpResponse {
  unsigned status = 200;  // 200..599; anything else is answered as 500 by the server
  HeaderList headers;
  std::string body;
  bool close = false;  // close the connection after this response

  HttpResponse& add(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// State of one TCP connection (one TLS session over it when tls). NTLM binds its handshake to the connection,
// and IIS may keep a connection authenticated, so the auth layer keeps what it needs in `authState`; it is
// dropped when the connection closes.
struct ConnectionContext {
  std::uint64_t id = 0;  // unique per server, from 1
  std::string peer;
  bool tls = false;
  // On a TLS connection, RFC 5929's tls-server-end-point of the certificate this server presents: what a
  // client binds its authentication to (Extended Protection). Empty on a plain connection. It views the
  // server's own copy, which outlives its connections.
  std::span<const std::uint8_t> tlsServerEndPoint;
  std::uint64_t requestsOnConnection = 0;  // including the request being handled
  std::shared_ptr<void> authState;
  // The handler's multi-leg authentication is half-way on this connection (an NTLM CHALLENGE went out and
  // its AUTHENTICATE must come on the same connection): a graceful recycle leaves it open until it ends.
  bool handshakePending = false;
};

// What the server calls. handle() may run concurrently for different connections, never concurrently for one
// connection; requests on a connection are handled in order (pipelined ones too). It runs on a server thread,
// so it should not block for long.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request, ConnectionContext& connection) = 0;
  // True when handle() may block for a while on this request (an NTLM pass-through waiting for the DC's
  // Netlogon): a server with a blocking pool (HttpServerConfig::blockingThreads) runs it there, as IIS runs
  // requests on its worker threads, so that the I/O threads keep serving every other connection.
  virtual bool mayBlock(const HttpRequest& /*request*/) const { return false; }
  // Called once when the connection is gone (after its last handle()), also for connections that never
  // produced a request.
  virtual void connectionClosed(ConnectionContext& /*connection*/) {}
};

}  // namespace kerbpool::net
