// net::TlsStream behind a node's HTTP server, driven by a blocking OpenSSL client in the test: pipelined
// requests in one record, responses larger than a record, TLS 1.2 and 1.3, the peer's close with and without
// close_notify, timeouts while idle and during the handshake, and a server that keeps serving after each.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <string>

#include "core/crypto/x509.hpp"
#include "net/http_server.hpp"
#include "tests/net/server_fixture.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;

namespace {

// "/big" answers 200 KiB of a known pattern; anything else a short body naming the target.
class Handler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req, net::ConnectionContext& conn) override {
    net::HttpResponse r;
    r.add("Content-Type", "text/plain");
    if (req.target == "/big") {
      r.body = bigBody();
    } else {
      r.body =
          "conn=" + std::to_string(conn.id) + " target=" + req.target + " tls=" + (req.tls ? "yes" : "no");
    }
    return r;
  }
  void connectionClosed(net::ConnectionContext&) override {
    std::lock_guard lock(mu_);
    closed_++;
    cv_.notify_all();
  }
  bool waitClosed(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5000ms, [&] { return closed_ >= n; });
  }
  static std::string bigBody() {
    std::string body(200 * 1024, '\0');
    for (std::size_t i = 0; i < body.size(); ++i) {
      body[i] = static_cast<char>('a' + (i * 7 + i / 977) % 26);
    }
    return body;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t closed_ = 0;
};

// A blocking TLS client on 127.0.0.1 whose every read waits at most 5 s (SO_RCVTIMEO).
class TlsClient {
 public:
  TlsClient(std::uint16_t port, int maxVersion = TLS1_3_VERSION) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(ctx_, maxVersion);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // the certificate is not what is tested here
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return;
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "pool.contoso.test");
    handshaken_ = SSL_connect(ssl_) == 1;
  }
  ~TlsClient() {
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
    }
    if (fd_ >= 0) {
      ::close(fd_);
    }
    SSL_CTX_free(ctx_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool handshaken() const { return handshaken_; }
  std::string version() const { return SSL_get_version(ssl_); }
  bool write(const std::string& data) {
    std::size_t n = 0;
    return SSL_write_ex(ssl_, data.data(), data.size(), &n) == 1 && n == data.size();
  }
  // Reads until `responses` whole responses (each with Content-Length) have arrived, or the peer closes.
  std::string readResponses(int responses) {
    std::string got;
    char buf[8192];
    while (countComplete(got) < responses) {
      std::size_t n = 0;
      if (SSL_read_ex(ssl_, buf, sizeof buf, &n) != 1) {
        break;
      }
      got.append(buf, n);
    }
    return got;
  }
  // True when the server ends the connection (close_notify or FIN) within the socket's read timeout.
  bool waitForClose() {
    char buf[256];
    std::size_t n = 0;
    while (SSL_read_ex(ssl_, buf, sizeof buf, &n) == 1) {
    }
    const int e = SSL_get_error(ssl_, 0);
    ERR_clear_error();
    return e == SSL_ERROR_ZERO_RETURN ||
           (e == SSL_ERROR_SYSCALL && errno != EAGAIN && errno != EWOULDBLOCK) || e == SSL_ERROR_SSL;
  }
  // Holds back partial segments until uncorked (TCP_CORK): records written meanwhile leave in one segment.
  void cork(bool on) {
    const int v = on ? 1 : 0;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_CORK, &v, sizeof v);
  }
  void sendCloseNotify() { SSL_shutdown(ssl_); }
  void closeAbruptly() {  // a FIN with no close_notify
    ::shutdown(fd_, SHUT_RDWR);
  }

  static int countComplete(const std::string& data) {
    int count = 0;
    std::size_t pos = 0;
    while (true) {
      const auto end = data.find("\r\n\r\n", pos);
      if (end == std::string::npos) {
        return count;
      }
      const auto cl = data.find("Content-Length: ", pos);
      if (cl == std::string::npos || cl > end) {
        return count;
      }
      const std::size_t length = std::stoul(data.substr(cl + 16, end - cl - 16));
      if (data.size() < end + 4 + length) {
        return count;
      }
      pos = end + 4 + length;
      ++count;
    }
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshaken_ = false;
};

struct TlsServer {
  explicit TlsServer(Handler& handler, std::chrono::milliseconds readTimeout = 30000ms,
                     std::chrono::milliseconds keepAlive = 120000ms) {
    core::SystemClock clock;
    auto bundle =
        core::crypto::generateTlsBundle({"pool.contoso.test"}, clock.now() - std::chrono::hours(1), 2);
    REQUIRE(bundle.ok());
    auto files = bundle->writePemFiles(dir.path());
    REQUIRE(files.ok());
    net::HttpServerConfig cfg;
    cfg.serverName = "kerbpool-frontend/fe01";
    cfg.tls = net::TlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()};
    cfg.readTimeout = readTimeout;
    cfg.keepAliveTimeout = keepAlive;
    server = test::startServer(cfg, handler);
  }
  test::TempDir dir;
  std::unique_ptr<net::HttpServer> server;
};

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: pool.contoso.test\r\n\r\n";
}

}  // namespace

TEST_CASE("tls stream: two requests in one TLS record get both answers in order", "[net][integration]") {
  Handler h;
  TlsServer s(h);
  TlsClient c(s.server->port());
  REQUIRE(c.handshaken());
  REQUIRE(c.write(get("/first") + get("/second")));  // one SSL_write: one record holding both
  const std::string got = c.readResponses(2);
  INFO(got);
  const auto first = got.find("target=/first tls=yes");
  const auto second = got.find("target=/second tls=yes");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  CHECK(first < second);
  CHECK(s.server->stats().requests == 2);
}

TEST_CASE("tls stream: two requests in two TLS records of one segment get both answers",
          "[net][integration]") {
  // The server reads both records at once; the second waits decrypted-to-be inside OpenSSL, not on the
  // socket, when the session looks for the next request.
  Handler h;
  TlsServer s(h);
  TlsClient c(s.server->port());
  REQUIRE(c.handshaken());
  c.cork(true);
  REQUIRE(c.write(get("/first")));
  REQUIRE(c.write(get("/second")));
  c.cork(false);
  const std::string got = c.readResponses(2);
  INFO(got);
  CHECK(got.find("target=/first tls=yes") != std::string::npos);
  CHECK(got.find("target=/second tls=yes") != std::string::npos);
}

TEST_CASE("tls stream: a 200 KiB response arrives whole over TLS 1.3 and TLS 1.2", "[net][integration]") {
  Handler h;
  TlsServer s(h);
  for (const int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    TlsClient c(s.server->port(), version);
    REQUIRE(c.handshaken());
    CHECK(c.version() == (version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2"));
    for (int i = 0; i < 2; ++i) {  // twice on the connection: the connection goes on after a large answer
      REQUIRE(c.write(get("/big")));
      const std::string got = c.readResponses(1);
      const auto body = got.find("\r\n\r\n");
      REQUIRE(body != std::string::npos);
      CHECK(got.substr(body + 4) == Handler::bigBody());
    }
  }
}

TEST_CASE(
    "tls stream: the client's close (with or without close_notify) ends the connection and the server "
    "keeps serving",
    "[net][integration]") {
  Handler h;
  TlsServer s(h);
  {
    TlsClient polite(s.server->port());
    REQUIRE(polite.handshaken());
    REQUIRE(polite.write(get("/a")));
    REQUIRE(TlsClient::countComplete(polite.readResponses(1)) == 1);
    polite.sendCloseNotify();
    CHECK(polite.waitForClose());  // the server answers with its own close_notify and closes
  }
  REQUIRE(h.waitClosed(1));
  {
    TlsClient abrupt(s.server->port());
    REQUIRE(abrupt.handshaken());
    REQUIRE(abrupt.write(get("/b")));
    REQUIRE(TlsClient::countComplete(abrupt.readResponses(1)) == 1);
    abrupt.closeAbruptly();
    REQUIRE(h.waitClosed(2));
  }
  TlsClient after(s.server->port());
  REQUIRE(after.handshaken());
  REQUIRE(after.write(get("/after")));
  CHECK(after.readResponses(1).find("target=/after") != std::string::npos);
  const auto stats = s.server->stats();
  CHECK(stats.requests == 3);
  CHECK(stats.timeouts == 0);
  CHECK(stats.tlsHandshakeFailures == 0);
}

TEST_CASE(
    "tls stream: an idle TLS connection is closed after the keep-alive timeout and a silent one after "
    "the read timeout",
    "[net][integration]") {
  Handler h;
  TlsServer s(h, 200ms, 200ms);
  TlsClient idle(s.server->port());
  REQUIRE(idle.handshaken());
  REQUIRE(idle.write(get("/once")));
  REQUIRE(TlsClient::countComplete(idle.readResponses(1)) == 1);
  CHECK(idle.waitForClose());
  REQUIRE(h.waitClosed(1));

  test::TcpClient silent(s.server->port());  // connects, never sends a ClientHello
  REQUIRE(silent.connected());
  CHECK(silent.waitForClose(5000ms));
  REQUIRE(h.waitClosed(2));

  test::TcpClient partial(s.server->port());  // half a TLS record header, then nothing
  REQUIRE(partial.connected());
  const core::Bytes half{0x16, 0x03};
  REQUIRE(partial.send(half));
  CHECK(partial.waitForClose(5000ms));
  REQUIRE(h.waitClosed(3));

  const auto stats = s.server->stats();
  CHECK(stats.timeouts == 3);
  CHECK(stats.tlsHandshakeFailures == 2);  // the two that never finished their handshake
  CHECK(stats.activeConnections == 0);
}

TEST_CASE("tls stream: garbage instead of a ClientHello fails the handshake and not the server",
          "[net][integration]") {
  Handler h;
  TlsServer s(h);
  {
    test::TcpClient garbage(s.server->port());
    REQUIRE(garbage.connected());
    const core::Bytes junk{0x16, 0x03, 0x01, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef, 0x00};
    REQUIRE(garbage.send(junk));
    CHECK(garbage.waitForClose(5000ms));
  }
  REQUIRE(h.waitClosed(1));
  CHECK(s.server->stats().tlsHandshakeFailures == 1);
  TlsClient after(s.server->port());
  REQUIRE(after.handshaken());
  REQUIRE(after.write(get("/after")));
  CHECK(after.readResponses(1).find("target=/after") != std::string::npos);
}
