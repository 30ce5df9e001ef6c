// The workstation's HTTP connection against kerbpool's own HttpServer (keep-alive, TLS with a throwaway CA,
// limits) and against scripted raw sockets for what a real server does not do on purpose (closing a
// kept-alive connection under a request, never answering, malformed answers). Everything on 127.0.0.1, port
// 0.
#include "client/http_connection.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <thread>

#include "core/crypto/x509.hpp"
#include "net/http_server.hpp"
#include "net/in_process_http.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using client::HttpClientRequest;
using client::HttpClientRuntime;
using client::HttpConnection;
using client::HttpConnectionOptions;
using namespace std::chrono_literals;

namespace {

struct Seen {
  std::uint64_t connection = 0;
  std::string method;
  std::string target;
  std::string host;
  std::string connectionField;
  bool tls = false;
};

class EchoHandler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req,
                                net::ConnectionContext& conn) override {
    {
      std::lock_guard lock(mu_);
      seen_.push_back(Seen{conn.id, req.method, req.target, std::string(req.header("Host").value_or("")),
                           std::string(req.header("Connection").value_or("")), req.tls});
    }
    net::HttpResponse r;
    r.add("X-Kerbpool-Node", "fe01");
    if (req.target == "/big-body") {
      r.body = std::string(2000, 'b');
    } else if (req.target == "/big-header") {
      r.add("X-Big", std::string(3000, 'h'));
    } else if (req.target == "/close") {
      r.close = true;
      r.body = "bye";
    } else {
      r.body = "conn=" + std::to_string(conn.id) + " target=" + req.target;
    }
    return r;
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::vector<Seen> seen_;
};

std::unique_ptr<net::HttpServer> startServer(net::HttpHandler& handler,
                                                  std::optional<net::TlsFiles> tls = std::nullopt) {
  net::HttpServerConfig config;
  config.tls = std::move(tls);
  auto server = net::HttpServer::start(config, handler);
  if (!server.ok()) {
    FAIL(server.error().message());
  }
  return std::move(server).value();
}

HttpConnectionOptions optionsFor(std::uint16_t port) {
  HttpConnectionOptions o;
  o.address = "127.0.0.1";
  o.port = port;
  o.hostHeader = "pool.contoso.test:" + std::to_string(port);
  return o;
}

HttpClientRequest get(std::string target) {
  HttpClientRequest r;
  r.target = std::move(target);
  return r;
}

client::HttpClientResponse take(core::Result<client::HttpClientResponse> r) {
  INFO((r.ok() ? std::string() : r.error().message()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// A listening socket whose accepted connections each run one script, in order, on a thread.
class ScriptedServer {
 public:
  using Script = std::function<void(int fd)>;

  explicit ScriptedServer(std::vector<Script> scripts) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd_, 8) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, scripts = std::move(scripts)] {
      for (const auto& script : scripts) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) {
          return;
        }
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) {
          return;
        }
        script(c);
        ::close(c);
      }
    });
  }
  ~ScriptedServer() {
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

  // Reads up to the end of a request head (no bodies in these tests); empty on timeout or close.
  static std::string readRequest(int fd) {
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) {
        return {};
      }
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        return {};
      }
      in.append(buf, static_cast<std::size_t>(n));
    }
    return in;
  }
  static void write(int fd, std::string_view text) {
    (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
  }
  // Blocks until the client closes its side (bounded).
  static void waitForPeerClose(int fd) {
    char buf[256];
    while (true) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0 || ::recv(fd, buf, sizeof(buf), 0) <= 0) {
        return;
      }
    }
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

}  // namespace

TEST_CASE("http connection: keep-alive reuses one TCP connection", "[client][http][integration]") {
  EchoHandler handler;
  auto server = startServer(handler);
  HttpClientRuntime runtime;
  HttpConnection conn(runtime, optionsFor(server->port()));
  CHECK_FALSE(conn.isOpen());
  CHECK(conn.serial() == 0);
  for (int i = 0; i < 3; ++i) {
    auto r = take(conn.send(get("/r" + std::to_string(i))));
    CHECK(r.status == 200);
    CHECK(r.reason == "OK");
    CHECK(r.keepAlive);
    CHECK(r.connectionSerial == 1);
    CHECK(r.reusedConnection == (i > 0));
    CHECK(r.header("x-kerbpool-node") == "fe01");
    CHECK(r.body == "conn=1 target=/r" + std::to_string(i));
  }
  CHECK(conn.isOpen());
  const auto seen = handler.seen();
  REQUIRE(seen.size() == 3);
  for (const auto& s : seen) {
    CHECK(s.connection == 1);
    CHECK(s.host == "pool.contoso.test:" + std::to_string(server->port()));
    CHECK(s.connectionField.empty());
  }
  const auto stats = runtime.stats();
  CHECK(stats.connections == 1);
  CHECK(stats.requests == 3);
  CHECK(stats.reusedRequests == 2);
  CHECK(stats.failures == 0);
  CHECK(server->stats().connections == 1);

  // The server closing after a response: the next request opens connection 2.
  auto bye = take(conn.send(get("/close")));
  CHECK_FALSE(bye.keepAlive);
  CHECK_FALSE(conn.isOpen());
  auto again = take(conn.send(get("/again")));
  CHECK(again.connectionSerial == 2);
  CHECK_FALSE(again.reusedConnection);

  // HEAD: headers only, and the connection stays usable.
  HttpClientRequest head = get("/head");
  head.method = "HEAD";
  auto h = take(conn.send(head));
  CHECK(h.status == 200);
  CHECK(h.body.empty());
  CHECK(take(conn.send(get("/after-head"))).body == "conn=2 target=/after-head");
}

TEST_CASE("http connection: without keep-alive every request gets its own connection",
          "[client][http][integration]") {
  EchoHandler handler;
  auto server = startServer(handler);
  HttpClientRuntime runtime;
  auto options = optionsFor(server->port());
  options.keepAlive = false;
  HttpConnection conn(runtime, options);
  for (std::uint64_t i = 1; i <= 3; ++i) {
    auto r = take(conn.send(get("/x")));
    CHECK(r.connectionSerial == i);
    CHECK_FALSE(r.keepAlive);
    CHECK_FALSE(conn.isOpen());
  }
  const auto seen = handler.seen();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].connectionField == "close");
  CHECK(seen[0].connection != seen[2].connection);
  CHECK(runtime.stats().connections == 3);
}

TEST_CASE("http connection: a kept-alive connection closed under a GET is retried once",
          "[client][http][integration]") {
  ScriptedServer server({
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, kOk);
        ScriptedServer::readRequest(fd);  // the second request: closed without an answer
      },
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, kOk);
        ScriptedServer::waitForPeerClose(fd);
      },
  });
  HttpClientRuntime runtime;
  HttpConnection conn(runtime, optionsFor(server.port()));
  CHECK(take(conn.send(get("/1"))).connectionSerial == 1);
  auto second = take(conn.send(get("/2")));
  CHECK(second.status == 200);
  CHECK(second.connectionSerial == 2);
  CHECK_FALSE(second.reusedConnection);
  CHECK(runtime.stats().staleRetries == 1);
  conn.close();
}

TEST_CASE("http connection: a POST is not resent and errors are typed", "[client][http][integration]") {
  ScriptedServer server({
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, kOk);
        ScriptedServer::readRequest(fd);
      },
      [](int fd) {  // never answers
        ScriptedServer::readRequest(fd);
        ScriptedServer::waitForPeerClose(fd);
      },
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, "HTTP/1.1 abc\r\n\r\n");
      },
      [](int fd) {  // interim responses before the final one
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd,
                              "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n");
        ScriptedServer::write(fd, kOk);
        ScriptedServer::waitForPeerClose(fd);
      },
      [](int fd) {  // the connection ends in the middle of the body
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
      },
  });
  HttpClientRuntime runtime;
  auto options = optionsFor(server.port());
  options.requestTimeout = 200ms;
  HttpConnection conn(runtime, options);
  HttpClientRequest post = get("/p");
  post.method = "POST";
  post.body = "x=1";
  CHECK(take(conn.send(post)).status == 200);
  auto lost = conn.send(post);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().code == "connection_closed");
  CHECK(lost.error().category == core::ErrorCategory::Io);
  CHECK_FALSE(conn.isOpen());

  auto silent = conn.send(get("/silent"));
  REQUIRE_FALSE(silent.ok());
  CHECK(silent.error().code == "timeout");
  CHECK(runtime.stats().timeouts == 1);
  CHECK_FALSE(conn.isOpen());

  auto garbage = conn.send(get("/garbage"));
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().code == "bad_response");
  CHECK(garbage.error().category == core::ErrorCategory::Decoding);

  auto interim = take(conn.send(get("/interim")));
  CHECK(interim.status == 200);
  CHECK(interim.body == "ok");
  conn.close();

  auto cut = conn.send(get("/cut"));
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == "connection_closed");
  CHECK(runtime.stats().staleRetries == 0);
  CHECK(runtime.stats().failures == 4);
}

TEST_CASE("http connection: limits and malformed requests", "[client][http][integration]") {
  EchoHandler handler;
  auto server = startServer(handler);
  HttpClientRuntime runtime;
  auto options = optionsFor(server->port());
  options.bodyLimit = 1000;
  options.headerLimit = 1024;
  HttpConnection conn(runtime, options);
  auto body = conn.send(get("/big-body"));
  REQUIRE_FALSE(body.ok());
  CHECK(body.error().code == "response_body_too_large");
  auto header = conn.send(get("/big-header"));
  REQUIRE_FALSE(header.ok());
  CHECK(header.error().code == "response_header_too_large");
  CHECK(take(conn.send(get("/fine"))).status == 200);

  HttpClientRequest split = get("/x");
  split.headers.emplace_back("X-Evil", "a\r\nInjected: 1");
  CHECK(conn.send(split).error().code == "bad_request");
  HttpClientRequest host = get("/x");
  host.headers.emplace_back("host", "other");
  CHECK(conn.send(host).error().code == "bad_request");
  CHECK(conn.send(get("/a b")).error().code == "bad_request");
  HttpClientRequest method = get("/x");
  method.method = "GE T";
  CHECK(conn.send(method).error().category == core::ErrorCategory::Encoding);
  CHECK(handler.seen().size() == 3);

  HttpConnection refused(runtime, optionsFor(test::freeLoopbackPort()));
  auto r = refused.send(get("/"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "connect_failed");
  CHECK(r.error().detail.find("refused") != std::string::npos);
  auto badAddress = optionsFor(80);
  badAddress.address = "pool.contoso.test";
  CHECK(HttpConnection(runtime, badAddress).send(get("/")).error().code == "bad_address");
}

TEST_CASE("http connection: announced and chunked bodies over the limit", "[client][http][integration]") {
  ScriptedServer server({
      [](int fd) {  // header and body in one segment, the body far larger than announced as allowed
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(
            fd, "HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n" + std::string(100, 'x'));
        ScriptedServer::waitForPeerClose(fd);
      },
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1500\r\n\r\n" + std::string(1500, 'x'));
        ScriptedServer::waitForPeerClose(fd);
      },
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" +
                                      std::string(1024, 'x') + "\r\n0\r\n\r\n");
        ScriptedServer::waitForPeerClose(fd);
      },
      [](int fd) {
        ScriptedServer::readRequest(fd);
        ScriptedServer::write(fd,
                              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        ScriptedServer::waitForPeerClose(fd);
      },
  });
  HttpClientRuntime runtime;
  auto options = optionsFor(server.port());
  options.bodyLimit = 1000;
  HttpConnection conn(runtime, options);
  for (int i = 0; i < 3; ++i) {
    INFO(i);
    auto r = conn.send(get("/"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "response_body_too_large");
    CHECK_FALSE(conn.isOpen());
  }
  auto small = take(conn.send(get("/")));
  CHECK(small.body == "abc");
  conn.close();
}

TEST_CASE("http connection: TLS with SNI and verification against the lab CA",
          "[client][http][integration]") {
  const auto notBefore = core::SystemClock().now() - std::chrono::hours(24);
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, notBefore);
  REQUIRE(bundle.ok());
  test::TempDir dir;
  auto files = bundle->writePemFiles(dir.path());
  REQUIRE(files.ok());
  EchoHandler handler;
  auto server = startServer(
      handler, net::TlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()});
  HttpClientRuntime runtime;
  auto options = optionsFor(server->port());
  options.tls = client::HttpTlsOptions{"", files->caCertificate.string(), true};  // name from Host

  HttpConnection conn(runtime, options);
  CHECK(conn.options().tls->serverName == "pool.contoso.test");
  for (int i = 0; i < 2; ++i) {
    auto r = take(conn.send(get("/tls")));
    CHECK(r.status == 200);
    CHECK(r.connectionSerial == 1);
  }
  auto seen = handler.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].tls);
  CHECK(seen[0].connection == seen[1].connection);
  CHECK(runtime.stats().tlsHandshakes == 1);

  SECTION("a name the certificate does not carry") {
    auto wrong = options;
    wrong.tls->serverName = "lb01.contoso.test";
    auto r = HttpConnection(runtime, wrong).send(get("/"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "tls_handshake_failed");
    CHECK(r.error().detail.find("hostname mismatch") != std::string::npos);
  }
  SECTION("another CA") {
    auto other = core::crypto::generateTlsBundle({"pool.contoso.test"}, notBefore);
    REQUIRE(other.ok());
    test::TempDir otherDir;
    auto otherFiles = other->writePemFiles(otherDir.path());
    REQUIRE(otherFiles.ok());
    auto untrusted = options;
    untrusted.tls->caFile = otherFiles->caCertificate.string();
    auto r = HttpConnection(runtime, untrusted).send(get("/"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "tls_handshake_failed");
    INFO(r.error().detail);
    CHECK(r.error().detail.find("certificate verify failed") != std::string::npos);
  }
  SECTION("no verification") {
    auto blind = options;
    blind.tls = client::HttpTlsOptions{"lb01.contoso.test", "", false};
    CHECK(take(HttpConnection(runtime, blind).send(get("/"))).status == 200);
  }
  SECTION("an unreadable CA file") {
    auto missing = options;
    missing.tls->caFile = (dir.path() / "missing.pem").string();
    CHECK(HttpConnection(runtime, missing).send(get("/")).error().code == "bad_ca_file");
  }
  SECTION("TLS against a plain HTTP server") {
    EchoHandler plainHandler;
    auto plain = startServer(plainHandler);
    auto mismatch = optionsFor(plain->port());
    mismatch.tls = options.tls;
    CHECK(HttpConnection(runtime, mismatch).send(get("/")).error().code == "tls_handshake_failed");
  }
}

TEST_CASE("http connection: in process, the same requests and answers without a socket",
          "[client][http][transport]") {
  EchoHandler handler;
  auto server = startServer(handler);
  net::InProcessHttpNetwork network;
  network.listen("127.0.0.1", server->port(),
                 [&](const std::string& peer) { return server->connectInProcess(peer); });
  HttpClientRuntime runtime;
  runtime.useInProcessNetwork(&network);
  auto options = optionsFor(server->port());
  options.bodyLimit = 1000;
  options.headerLimit = 2000;
  HttpConnection conn(runtime, options);
  for (int i = 0; i < 2; ++i) {
    auto r = take(conn.send(get("/r" + std::to_string(i))));
    CHECK(r.status == 200);
    CHECK(r.connectionSerial == 1);
    CHECK(r.reusedConnection == (i > 0));
    CHECK(r.body == "conn=1 target=/r" + std::to_string(i));
  }
  CHECK(conn.isOpen());
  const auto seen = handler.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].host == "pool.contoso.test:" + std::to_string(server->port()));
  // The server went through no socket: its listener accepted nothing.
  CHECK(server->stats().connections == 1);
  CHECK(server->stats().activeConnections == 1);

  // A recycle while the connection is idle: the next GET is sent once more on a new connection.
  CHECK(server->recycleConnections() == 1);
  auto after = take(conn.send(get("/after-recycle")));
  CHECK(after.connectionSerial == 2);
  CHECK(after.body.find("target=/after-recycle") != std::string::npos);
  CHECK(runtime.stats().staleRetries == 0);  // seen closed before sending, as poll() would see a FIN

  // The response limits hold as over a socket.
  const auto big = conn.send(get("/big-body"));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == "response_body_too_large");
  const auto header = conn.send(get("/big-header"));
  REQUIRE_FALSE(header.ok());
  CHECK(header.error().code == "response_header_too_large");
}
