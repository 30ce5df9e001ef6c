#include "net/http_server.hpp"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/crypto/x509.hpp"
#include "tests/net/server_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using net::HttpServer;
using net::HttpServerConfig;
using test::startServer;
using namespace std::chrono_literals;

namespace {

struct Seen {
  std::uint64_t connection = 0;
  std::uint64_t requestsOnConnection = 0;
  int legs = 0;  // counted in the connection's authState
  std::string method;
  std::string target;
  bool tls = false;
  std::string body;
};

// Answers with what it saw; keeps a per-connection counter in authState, as an NTLM acceptor keeps its
// handshake; records closed connections so that tests can wait for them.
class RecordingHandler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req,
                                net::ConnectionContext& conn) override {
    if (req.target == "/throw") {
      throw std::runtime_error("handler failure");
    }
    if (!conn.authState) {
      conn.authState = std::make_shared<int>(0);
    }
    const int legs = ++*std::static_pointer_cast<int>(conn.authState);
    {
      std::lock_guard lock(mu_);
      seen_.push_back(
          Seen{conn.id, conn.requestsOnConnection, legs, req.method, req.target, req.tls, req.body});
    }
    net::HttpResponse r;
    if (req.target == "/auth") {
      r.status = 401;
      r.add("WWW-Authenticate", "Negotiate").add("WWW-Authenticate", "NTLM");
      r.body = "unauthorized\n";
      return r;
    }
    r.add("Content-Type", "text/plain");
    r.body = "conn=" + std::to_string(conn.id) + " legs=" + std::to_string(legs) + " target=" + req.target +
             " x-test=" + std::string(req.header("X-TEST").value_or("-"));
    return r;
  }

  void connectionClosed(net::ConnectionContext& conn) override {
    std::lock_guard lock(mu_);
    closed_.push_back(conn.id);
    cv_.notify_all();
  }

  bool waitClosed(std::size_t n, std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return closed_.size() >= n; });
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Seen> seen_;
  std::vector<std::uint64_t> closed_;
};

HttpServerConfig plainConfig() {
  HttpServerConfig c;
  c.serverName = "kerbpool-frontend/fe01";
  return c;
}

}  // namespace

TEST_CASE("http server: GET returns the handler's response", "[frontend][integration]") {
  RecordingHandler h;
  auto server = startServer(plainConfig(), h);
  REQUIRE(server->port() != 0);
  CHECK_FALSE(server->tls());
  test::HttpTestClient c(server->port());
  auto r = c.get("/hello?x=1", {{"x-test", "yes"}});
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->reason == "OK");
  CHECK(r->header("Server") == "kerbpool-frontend/fe01");
  CHECK(r->header("Content-Type") == "text/plain");
  CHECK(r->header("Content-Length") == std::to_string(r->body.size()));
  CHECK(r->body == "conn=1 legs=1 target=/hello?x=1 x-test=yes");
  auto seen = h.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK_FALSE(seen[0].tls);

  SECTION("HEAD gets the headers without the body") {
    REQUIRE(c.send("HEAD /h HTTP/1.1\r\nHost: test\r\n\r\n"));
    auto head = c.readResponse(3000ms, true);
    REQUIRE(head.has_value());
    CHECK(head->status == 200);
    CHECK(head->header("Content-Length") ==
          std::to_string(std::string("conn=1 legs=2 target=/h x-test=-").size()));
    auto after = c.get("/after");  // no stray body octets before the next response
    REQUIRE(after.has_value());
    CHECK(after->body == "conn=1 legs=3 target=/after x-test=-");
  }
  SECTION("a handler that throws gets 500 and the connection closes") {
    auto failed = c.get("/throw");
    REQUIRE(failed.has_value());
    CHECK(failed->status == 500);
    CHECK(failed->header("Connection") == "close");
    CHECK(c.waitForClose());
  }
}

TEST_CASE("http server: keep-alive requests share one ConnectionContext", "[frontend][integration]") {
  RecordingHandler h;
  auto server = startServer(plainConfig(), h);
  test::HttpTestClient c(server->port());
  for (int i = 1; i <= 3; ++i) {
    auto r = c.get("/k");
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK_FALSE(r->header("Connection").has_value());  // HTTP/1.1: keep-alive is the default
  }
  // A 401 with two WWW-Authenticate fields (as IIS sends Negotiate and NTLM) keeps the connection open.
  auto challenge = c.get("/auth");
  REQUIRE(challenge.has_value());
  CHECK(challenge->status == 401);
  CHECK(challenge->headerValues("WWW-Authenticate") == std::vector<std::string>{"Negotiate", "NTLM"});
  // Pipelined: two requests in one write, answered in order.
  REQUIRE(c.send(test::httpGetText("/p1") + test::httpGetText("/p2")));
  auto p1 = c.readResponse();
  auto p2 = c.readResponse();
  REQUIRE(p1.has_value());
  REQUIRE(p2.has_value());
  CHECK(p1->body.find("target=/p1") != std::string::npos);
  CHECK(p2->body.find("target=/p2") != std::string::npos);

  auto seen = h.seen();
  REQUIRE(seen.size() == 6);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].connection == seen[0].connection);
    CHECK(seen[i].requestsOnConnection == i + 1);
    CHECK(seen[i].legs == static_cast<int>(i + 1));  // authState persisted
  }

  test::HttpTestClient other(server->port());
  auto fresh = other.get("/new");
  REQUIRE(fresh.has_value());
  seen = h.seen();
  CHECK(seen.back().connection != seen[0].connection);
  CHECK(seen.back().legs == 1);  // a new connection starts without auth state
  CHECK(server->stats().connections == 2);
  CHECK(server->stats().requests == 7);
}

TEST_CASE("http server: a 64 KiB header gets 431 and the server keeps serving", "[frontend][integration]") {
  RecordingHandler h;
  auto server = startServer(plainConfig(), h);
  {
    test::HttpTestClient c(server->port());
    REQUIRE(
        c.send(test::httpGetText("/big", {{"Authorization", "Negotiate " + std::string(64 * 1024, 'A')}})));
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 431);
    CHECK(r->reason == "Request Header Fields Too Large");
    CHECK(r->header("Connection") == "close");
    CHECK(c.waitForClose());
  }
  CHECK(h.seen().empty());
  CHECK(server->stats().headerTooLarge == 1);

  // Just under the limit is fine.
  test::HttpTestClient next(server->port());
  auto ok = next.get("/next", {{"Authorization", "Negotiate " + std::string(15 * 1024, 'A')}});
  REQUIRE(ok.has_value());
  CHECK(ok->status == 200);
}

TEST_CASE("http server: malformed requests get 400 and a close", "[frontend][integration]") {
  RecordingHandler h;
  auto server = startServer(plainConfig(), h);
  for (const std::string& garbage :
       {std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n", 22),
        std::string("GET / HTTP/9.9\r\n\r\n"), std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n")}) {
    test::HttpTestClient c(server->port());
    REQUIRE(c.send(garbage));
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(c.waitForClose());
  }
  CHECK(server->stats().badRequests == 4);
  CHECK(h.seen().empty());
  test::HttpTestClient c(server->port());
  CHECK(c.get("/")->status == 200);
}

TEST_CASE("http server: bodies, 100-continue and the body limit", "[frontend][integration]") {
  RecordingHandler h;
  HttpServerConfig cfg = plainConfig();
  cfg.bodyLimit = 1000;
  auto server = startServer(cfg, h);
  test::HttpTestClient c(server->port());
  REQUIRE(c.send("POST /post HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto cont = c.readResponse();
  REQUIRE(cont.has_value());
  CHECK(cont->status == 100);
  REQUIRE(c.send("hello"));
  auto r = c.readResponse();
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(h.seen().back().body == "hello");

  REQUIRE(c.send("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n"));
  auto big = c.readResponse();
  REQUIRE(big.has_value());
  CHECK(big->status == 413);
  CHECK(c.waitForClose());
  CHECK(server->stats().bodyTooLarge == 1);
}

TEST_CASE("http server: Connection: close and HTTP/1.0 end the connection", "[frontend][integration]") {
  RecordingHandler h;
  auto server = startServer(plainConfig(), h);
  test::HttpTestClient c(server->port());
  auto r = c.get("/bye", {{"Connection", "close"}});
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->header("Connection") == "close");
  CHECK(c.waitForClose());

  test::HttpTestClient old(server->port());
  REQUIRE(old.send("GET /old HTTP/1.0\r\n\r\n"));
  auto r10 = old.readResponse();
  REQUIRE(r10.has_value());
  CHECK(r10->status == 200);
  CHECK(old.waitForClose());
  c.close();
  old.close();
  CHECK(h.waitClosed(2));
}

TEST_CASE("http server: idle and slow connections are closed after their timeout",
          "[frontend][integration]") {
  RecordingHandler h;
  HttpServerConfig cfg = plainConfig();
  cfg.readTimeout = 150ms;
  cfg.keepAliveTimeout = 150ms;
  auto server = startServer(cfg, h);

  test::HttpTestClient silent(server->port());  // connects and never sends
  REQUIRE(silent.connected());
  CHECK(silent.waitForClose(3000ms));
  REQUIRE(h.waitClosed(1));
  CHECK(server->stats().timeouts == 1);

  test::HttpTestClient slow(server->port());  // starts a request and stalls
  REQUIRE(slow.send("GET / HTTP/1.1\r\nHost: t\r\n"));
  CHECK(slow.waitForClose(3000ms));
  REQUIRE(h.waitClosed(2));

  test::HttpTestClient idle(server->port());  // one request, then idle past the keep-alive timeout
  REQUIRE(idle.get("/once").has_value());
  CHECK(idle.waitForClose(3000ms));
  REQUIRE(h.waitClosed(3));
  CHECK(server->stats().timeouts == 3);
  CHECK(server->stats().activeConnections == 0);
}

TEST_CASE("http server: a taken port is a plain error naming it", "[frontend][integration]") {
  RecordingHandler h;
  auto first = startServer(plainConfig(), h);
  HttpServerConfig cfg = plainConfig();
  cfg.port = first->port();
  auto second = HttpServer::start(cfg, h);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().category == core::ErrorCategory::Io);
  CHECK(second.error().detail.find("127.0.0.1:" + std::to_string(cfg.port)) != std::string::npos);
  CHECK(second.error().detail.find("in use") != std::string::npos);

  cfg.address = "not-an-address";
  auto bad = HttpServer::start(cfg, h);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_address");
}

TEST_CASE("http server: stop closes open connections and is idempotent", "[frontend][integration]") {
  RecordingHandler h;
  auto server = startServer(plainConfig(), h);
  test::HttpTestClient c(server->port());
  REQUIRE(c.get("/").has_value());
  server->stop();
  CHECK(c.waitForClose());
  CHECK(h.waitClosed(1, 0ms));  // connectionClosed ran before stop() returned
  server->stop();
  test::HttpTestClient after(server->port());
  CHECK_FALSE(after.connected());
}

TEST_CASE("http server: TLS with a certificate for the pool name, checked by curl",
          "[frontend][integration]") {
  const std::string curl = test::requireTool("curl");
  test::TempDir dir;
  core::SystemClock clock;
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test", "fe01.contoso.test"},
                                                clock.now() - std::chrono::hours(1), 2);
  REQUIRE(bundle.ok());
  auto files = bundle->writePemFiles(dir.path());
  REQUIRE(files.ok());

  RecordingHandler h;
  HttpServerConfig cfg = plainConfig();
  cfg.tls = net::TlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()};
  auto server = startServer(cfg, h);
  CHECK(server->tls());
  const std::string port = std::to_string(server->port());
  const std::string base = curl + " -sS --noproxy '*' --max-time 20 --resolve pool.contoso.test:" + port +
                           ":127.0.0.1 -w '\\nHTTP %{http_code}\\n' ";
  const std::string url = "https://pool.contoso.test:" + port;

  // Two URLs in one curl run reuse the connection: keep-alive over TLS.
  auto ok = test::runCommand(base + "--cacert " + test::shellQuote(files->caCertificate.string()) + " " +
                             url + "/one " + url + "/two");
  INFO(ok.output);
  CHECK(ok.exitCode == 0);
  CHECK(ok.output.find("target=/one") != std::string::npos);
  CHECK(ok.output.find("HTTP 200") != std::string::npos);
  auto seen = h.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].tls);
  CHECK(seen[1].connection == seen[0].connection);
  CHECK(seen[1].legs == 2);

  auto untrusted = test::runCommand(base + url + "/three");
  INFO(untrusted.output);
  CHECK(untrusted.exitCode == 60);  // CURLE_PEER_FAILED_VERIFICATION
  CHECK(untrusted.output.find("certificate") != std::string::npos);
  CHECK(h.seen().size() == 2);

  // Plain HTTP on the TLS port fails the handshake; the server keeps serving TLS.
  {
    test::HttpTestClient plain(server->port());
    REQUIRE(plain.send(test::httpGetText("/plain")));
    CHECK(plain.waitForClose());
  }
  REQUIRE(h.waitClosed(3));
  CHECK(server->stats().tlsHandshakeFailures == 2);
  auto again = test::runCommand(base + "--cacert " + test::shellQuote(files->caCertificate.string()) + " " +
                                url + "/again");
  CHECK(again.exitCode == 0);
  CHECK(again.output.find("HTTP 200") != std::string::npos);
}

TEST_CASE("http server: unreadable TLS files are a config error naming the file", "[frontend][integration]") {
  RecordingHandler h;
  HttpServerConfig cfg = plainConfig();
  cfg.tls = net::TlsFiles{"/nonexistent/server.pem", "/nonexistent/server-key.pem"};
  auto r = HttpServer::start(cfg, h);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category == core::ErrorCategory::Config);
  CHECK(r.error().detail.find("/nonexistent/server.pem") != std::string::npos);

  // A key that does not belong to the certificate.
  test::TempDir dir;
  auto a = core::crypto::generateTlsBundle({"pool.contoso.test"}, core::fromUnixSeconds(1767225600));
  auto b = core::crypto::generateTlsBundle({"pool.contoso.test"}, core::fromUnixSeconds(1767225600));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto fa = a->writePemFiles(dir / "a");
  auto fb = b->writePemFiles(dir / "b");
  REQUIRE(fa.ok());
  REQUIRE(fb.ok());
  cfg.tls = net::TlsFiles{fa->serverCertificate.string(), fb->serverPrivateKey.string()};
  auto mismatch = HttpServer::start(cfg, h);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().code == "tls_private_key");
}

TEST_CASE("http server: several threads serve concurrent keep-alive connections", "[frontend][integration]") {
  RecordingHandler h;
  HttpServerConfig cfg = plainConfig();
  cfg.threads = 3;
  auto server = startServer(cfg, h);
  constexpr int kClients = 6;
  constexpr int kRequests = 5;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      test::HttpTestClient c(server->port());
      for (int j = 0; j < kRequests; ++j) {
        auto r = c.get("/c");
        ok += (r && r->status == 200) ? 1 : 0;
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  CHECK(ok == kClients * kRequests);
  // Each connection saw its own requests in order, with its own auth state.
  std::map<std::uint64_t, int> last;
  for (const auto& s : h.seen()) {
    CHECK(s.legs == last[s.connection] + 1);
    CHECK(s.requestsOnConnection == static_cast<std::uint64_t>(s.legs));
    last[s.connection] = s.legs;
  }
  CHECK(last.size() == kClients);
}
