// The client's only HTTP I/O file: a POSIX socket per connection (non-blocking, every wait a poll() bounded
// by the request's deadline), TLS through Boost.Asio's ssl::stream over that socket, responses parsed by
// Beast's parser with header and body limits. Nothing here runs an event loop or starts a thread, so ten
// thousand simulated workstations cost ten thousand sockets and no more.
#include "client/http_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "client/deadline_stream.hpp"
#include "client/dns.hpp"
#include "client/http_message.hpp"
#include "core/common/clock.hpp"
#include "core/crypto/x509.hpp"
#include "net/in_process_http.hpp"
#include "net/in_process_parse.hpp"

namespace kerbpool::client {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using core::ErrorCategory;
using core::makeError;

namespace {

std::string endpointText(const std::string& address, std::uint16_t port) {
  return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
         std::to_string(port);
}

// "pool.contoso.test:8443" -> "pool.contoso.test"; "[::1]:80" -> "::1".
std::string hostOf(std::string_view hostHeader) {
  if (!hostHeader.empty() && hostHeader.front() == '[') {
    const std::size_t close = hostHeader.find(']');
    return std::string(hostHeader.substr(1, close == std::string_view::npos ? close : close - 1));
  }
  return std::string(hostHeader.substr(0, hostHeader.find(':')));
}

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

bool closedByPeer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
struct HttpClientRuntime::Impl {
  // Never run: the executor that TLS streams are constructed with.
  asio::io_context ioc{1};
  std::mutex mu;
  std::map<std::string, std::shared_ptr<ssl::context>> contexts;  // by verify flag and CA file

  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> tlsHandshakes{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> reusedRequests{0};
  std::atomic<std::uint64_t> staleRetries{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> failures{0};
  net::InProcessHttpNetwork* inProcess = nullptr;

  core::Result<std::shared_ptr<ssl::context>> contextFor(const HttpTlsOptions& tls) {
    const std::string key = (tls.verifyPeer ? "verify:" : "noverify:") + tls.caFile;
    std::lock_guard lock(mu);
    if (auto it = contexts.find(key); it != contexts.end()) {
      return it->second;
    }
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (tls.verifyPeer) {
      beast::error_code ec;
      if (tls.caFile.empty()) {
        ctx->set_default_verify_paths(ec);
      } else {
        ctx->load_verify_file(tls.caFile, ec);
      }
      if (ec) {
        return makeError(ErrorCategory::Config, "bad_ca_file",
                         "CA file '" + tls.caFile + "': " + ec.message());
      }
      // Every workstation thread's handshakes share this context's trust store.
      core::crypto::cacheTrustStoreExtensions(SSL_CTX_get_cert_store(ctx->native_handle()));
    }
    contexts.emplace(key, ctx);
    return ctx;
  }
};

HttpClientRuntime::HttpClientRuntime() : impl_(std::make_unique<Impl>()) {}
HttpClientRuntime::~HttpClientRuntime() = default;

void HttpClientRuntime::useInProcessNetwork(net::InProcessHttpNetwork* network) {
  impl_->inProcess = network;
}

HttpClientStats HttpClientRuntime::stats() const {
  HttpClientStats s;
  s.connections = impl_->connections.load();
  s.tlsHandshakes = impl_->tlsHandshakes.load();
  s.requests = impl_->requests.load();
  s.reusedRequests = impl_->reusedRequests.load();
  s.staleRetries = impl_->staleRetries.load();
  s.timeouts = impl_->timeouts.load();
  s.failures = impl_->failures.load();
  return s;
}

// ---------------------------------------------------------------------------------------------------------
struct HttpConnection::Impl {
  Impl(HttpClientRuntime::Impl& r, HttpConnectionOptions o) : rt(r), options(std::move(o)) {
    if (options.hostHeader.empty()) {
      options.hostHeader =
          options.address.find(':') != std::string::npos ? "[" + options.address + "]" : options.address;
    }
    if (options.tls && options.tls->serverName.empty()) {
      options.tls->serverName = hostOf(options.hostHeader);
    }
  }

  HttpClientRuntime::Impl& rt;
  HttpConnectionOptions options;
  UniqueFd fd;
  std::unique_ptr<net::InProcessHttpConnection> channel;  // instead of fd: the in-process transport
  Deadline deadline;
  std::shared_ptr<ssl::context> tlsContext;  // kept alive as long as the stream
  std::optional<ssl::stream<DeadlineStream>> tls;
  beast::flat_buffer buffer;
  std::uint64_t serial = 0;
  std::uint64_t requestsOnConnection = 0;
  std::vector<std::uint8_t> serverEndPoint;  // of the last TLS connection's server certificate

  std::string where() const { return endpointText(options.address, options.port); }

  bool connected() const { return fd.valid() || channel != nullptr; }

  void close() {
    tls.reset();
    fd.reset();
    channel.reset();
    buffer.consume(buffer.size());
    requestsOnConnection = 0;
  }

  // The server closed (or reset) the kept-alive connection while it was idle. Only FIN/RST count: a TLS
  // record waiting to be read (a TLS 1.3 session ticket) is not a reason to drop the connection.
  bool goneWhileIdle() const {
    if (channel) {
      return channel->closed();
    }
    pollfd p{fd.get(), POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  core::Status connect() {
    close();
    if (!options.tls && rt.inProcess != nullptr && rt.inProcess->serves(options.address, options.port)) {
      KP_TRY(channel, rt.inProcess->connect(options.sourceAddress, options.address, options.port));
      serial++;
      rt.connections++;
      return core::okStatus();
    }
    KP_TRY(SocketAddress addr, makeAddress(options.address, options.port));
    const int s = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) {
      return makeError(ErrorCategory::Io, "connect_failed",
                       "socket() for " + where() + ": " + errnoText(errno));
    }
    fd.reset(s);
    const int one = 1;
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (!options.sourceAddress.empty()) {
      KP_TRY(SocketAddress local, makeAddress(options.sourceAddress, 0));
      if (::bind(s, reinterpret_cast<const sockaddr*>(&local.storage), local.length) != 0) {
        const int err = errno;
        close();
        return makeError(ErrorCategory::Io, "connect_failed",
                         "bind to " + options.sourceAddress + " for " + where() + ": " + errnoText(err));
      }
    }
    deadline.start(options.connectTimeout);
    if (::connect(s, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) != 0) {
      if (errno != EINPROGRESS) {
        const int err = errno;
        close();
        return makeError(ErrorCategory::Io, "connect_failed",
                         "connect to " + where() + ": " + errnoText(err));
      }
      beast::error_code ec;
      if (!waitReady(s, POLLOUT, deadline, ec)) {
        close();
        if (ec == asio::error::timed_out) {
          rt.timeouts++;
          return makeError(ErrorCategory::Io, "connect_timeout",
                           "connect to " + where() + ": no answer within " +
                               std::to_string(options.connectTimeout.count()) + " ms");
        }
        return makeError(ErrorCategory::Io, "connect_failed", "connect to " + where() + ": " + ec.message());
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        close();
        return makeError(ErrorCategory::Io, "connect_failed",
                         "connect to " + where() + ": " + errnoText(err));
      }
    }
    serial++;
    rt.connections++;
    if (options.tls) {
      KP_CHECK(handshake());
    }
    return core::okStatus();
  }

  core::Status handshake() {
    const HttpTlsOptions& t = *options.tls;
    KP_TRY(tlsContext, rt.contextFor(t));
    tls.emplace(DeadlineStream(fd.get(), deadline, rt.ioc.get_executor()), *tlsContext);
    // SNI carries DNS names only (RFC 6066 3).
    if (!isIpLiteral(t.serverName)) {
      SSL_set_tlsext_host_name(tls->native_handle(), t.serverName.c_str());
    }
    if (t.verifyPeer) {
      // OpenSSL's own name check (RFC 6125), so that a mismatch shows in the verify result.
      if (isIpLiteral(t.serverName)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls->native_handle()), t.serverName.c_str());
      } else {
        SSL_set1_host(tls->native_handle(), t.serverName.c_str());
      }
      tls->set_verify_mode(ssl::verify_peer);
    } else {
      tls->set_verify_mode(ssl::verify_none);
    }
    beast::error_code ec;
    tls->handshake(ssl::stream_base::client, ec);
    if (ec) {
      std::string detail = "TLS with " + where() + " as '" + t.serverName + "': " + ec.message();
      const long verify = SSL_get_verify_result(tls->native_handle());
      if (t.verifyPeer && verify != X509_V_OK) {
        detail += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
      }
      const bool timedOut = ec == asio::error::timed_out;
      close();
      if (timedOut) {
        rt.timeouts++;
        return makeError(ErrorCategory::Io, "connect_timeout", detail);
      }
      return makeError(ErrorCategory::Io, "tls_handshake_failed", detail);
    }
    rt.tlsHandshakes++;
    serverEndPoint.clear();
    if (X509* peer = SSL_get0_peer_certificate(tls->native_handle())) {
      unsigned char* der = nullptr;
      const int length = i2d_X509(peer, &der);
      if (length > 0) {
        auto hash = core::crypto::tlsServerEndPoint(core::BytesView(der, static_cast<std::size_t>(length)));
        if (hash.ok()) {
          serverEndPoint.assign(hash->begin(), hash->end());
        }
      }
      OPENSSL_free(der);
    }
    return core::okStatus();
  }

  template <class F>
  auto withStream(F&& f) {
    if (tls) {
      return f(*tls);
    }
    DeadlineStream plain(fd.get(), deadline, rt.ioc.get_executor());
    return f(plain);
  }

  core::Error ioError(const beast::error_code& ec, std::string_view phase) {
    if (ec == asio::error::timed_out) {
      rt.timeouts++;
      return makeError(ErrorCategory::Io, "timeout",
                       std::string(phase) + " " + where() + ": nothing within " +
                           std::to_string(options.requestTimeout.count()) + " ms");
    }
    if (ec == http::error::header_limit) {
      return makeError(
          ErrorCategory::Decoding, "response_header_too_large",
          "response from " + where() + ": header over " + std::to_string(options.headerLimit) + " octets");
    }
    if (ec == http::error::body_limit) {
      return makeError(
          ErrorCategory::Decoding, "response_body_too_large",
          "response from " + where() + ": body over " + std::to_string(options.bodyLimit) + " octets");
    }
    if (closedByPeer(ec)) {
      return makeError(
          ErrorCategory::Io, "connection_closed",
          std::string(phase) + " " + where() + ": the server closed the connection (" + ec.message() + ")");
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
      return makeError(ErrorCategory::Decoding, "bad_response",
                       "response from " + where() + ": " + ec.message());
    }
    return makeError(ErrorCategory::Io, "io_failed",
                     std::string(phase) + " " + where() + ": " + ec.message());
  }

  // One request and its response on the open connection. `retryable`: it failed before any byte of a
  // response arrived on a connection that had carried earlier requests (the server had closed it).
  core::Result<HttpClientResponse> exchange(const std::string& text, bool head, bool& retryable) {
    if (channel) {
      return exchangeInProcess(text, head, retryable);
    }
    const bool reused = requestsOnConnection > 0;
    deadline.start(options.requestTimeout);
    beast::error_code ec;
    withStream([&](auto& stream) { return asio::write(stream, asio::buffer(text), ec); });
    if (ec) {
      retryable = reused && closedByPeer(ec);
      return ioError(ec, "sending to");
    }
    deadline.awaitingAnswer = true;
    while (true) {
      http::response_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.headerLimit, UINT32_MAX)));
      parser.body_limit(options.bodyLimit);
      parser.skip(head);
      // asio::readMessage parses the header before the body (Beast 1.74's eager parse of both at once skips
      // the Content-Length check against body_limit) and turns what Beast would throw on an oversized field
      // into an error: a node's answer never ends the workstation's process.
      buffer.max_size(net::readBufferLimit(options.headerLimit));
      ec = withStream(
          [&](auto& stream) { return net::readMessage(stream, buffer, parser, net::ReadUntil::Message); });
      if (ec) {
        retryable = reused && !parser.got_some() && closedByPeer(ec);
        return ioError(ec, "reading from");
      }
      const unsigned status = parser.get().result_int();
      if (status >= 100 && status < 200 && status != 101) {
        continue;  // an interim response (100 Continue, 103 Early Hints): the final one follows
      }
      return responseOf(parser);
    }
  }

  HttpClientResponse responseOf(http::response_parser<http::string_body>& parser) {
    auto& msg = parser.get();
    HttpClientResponse r;
    r.status = msg.result_int();
    r.reason = std::string(msg.reason());
    r.version = msg.version();
    for (const auto& field : msg) {
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = std::move(msg.body());
    r.keepAlive = parser.keep_alive() && options.keepAlive;
    return r;
  }

  // The same exchange over the in-process transport: the request's octets handed over, the response's
  // octets parsed under the same limits.
  core::Result<HttpClientResponse> exchangeInProcess(const std::string& text, bool head, bool& retryable) {
    auto octets = channel->exchange(text);
    if (!octets.ok()) {
      retryable = requestsOnConnection > 1;  // a kept-alive connection the server had closed
      return ioError(http::error::end_of_stream, "sending to");
    }
    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options.headerLimit, UINT32_MAX)));
    parser.body_limit(options.bodyLimit);
    parser.skip(head);
    if (const auto ec = net::parseWholeMessage(parser, *octets, options.headerLimit)) {
      return ioError(ec, "reading from");
    }
    return responseOf(parser);
  }

  core::Result<HttpClientResponse> send(const HttpClientRequest& req) {
    auto text = formatRequest(req, options.hostHeader, options.keepAlive);
    if (!text.ok()) {
      rt.failures++;
      return std::move(text).error();
    }
    const bool head = req.method == "HEAD";
    for (int attempt = 0;; ++attempt) {
      if (connected() && requestsOnConnection > 0 && goneWhileIdle()) {
        close();
      }
      if (!connected()) {
        if (auto st = connect(); !st.ok()) {
          rt.failures++;
          return std::move(st).error();
        }
      }
      const bool reused = requestsOnConnection > 0;
      rt.requests++;
      if (reused) {
        rt.reusedRequests++;
      }
      requestsOnConnection++;
      bool retryable = false;
      auto r = exchange(*text, head, retryable);
      if (!r.ok()) {
        close();
        if (retryable && attempt == 0 && idempotent(req.method)) {
          rt.staleRetries++;
          continue;
        }
        rt.failures++;
        return r;
      }
      r->connectionSerial = serial;
      r->reusedConnection = reused;
      if (!r->keepAlive) {
        close();
      }
      return r;
    }
  }
};

HttpConnection::HttpConnection(HttpClientRuntime& runtime, HttpConnectionOptions options)
    : impl_(std::make_unique<Impl>(runtime.impl(), std::move(options))) {}
HttpConnection::~HttpConnection() = default;

core::Result<HttpClientResponse> HttpConnection::send(const HttpClientRequest& request) {
  return impl_->send(request);
}

bool HttpConnection::isOpen() const {
  return impl_->connected();
}

std::uint64_t HttpConnection::serial() const {
  return impl_->serial;
}

const std::vector<std::uint8_t>& HttpConnection::tlsServerEndPoint() const {
  return impl_->serverEndPoint;
}

void HttpConnection::close() {
  impl_->close();
}

const HttpConnectionOptions& HttpConnection::options() const {
  return impl_->options;
}

}  // namespace kerbpool::client
