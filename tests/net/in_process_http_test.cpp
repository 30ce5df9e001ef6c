// The node's side of the in-process transport (HttpServer::connectInProcess, InProcessHttpNetwork): a
// request's octets get the answer a TCP connection would get, with the same limits, counters, keep-alive and
// recycling.
#include <catch2/catch.hpp>
#include <string>

#include "net/http_server.hpp"
#include "net/in_process_http.hpp"
#include "tests/net/server_fixture.hpp"

using namespace kerbpool;

namespace {

// Answers "peer=... n=<requests on the connection> <method> <target>"; "/pending" leaves a handshake half-way
// (as an NTLM CHALLENGE does), "/close" asks for the connection to close.
class InProcessEchoHandler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req, net::ConnectionContext& conn) override {
    conn.handshakePending = req.target == "/pending";
    net::HttpResponse r;
    r.body = "peer=" + req.peer + " n=" + std::to_string(conn.requestsOnConnection) + " " + req.method + " " +
             req.target;
    r.close = req.target == "/close";
    return r;
  }
  void connectionClosed(net::ConnectionContext&) override { ++closed; }
  int closed = 0;
};

std::string requestFor(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: fe01\r\n" + extra + "\r\n";
}

std::string bodyOfResponse(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

struct TransportCase {
  std::string request;
  std::string status;
};

}  // namespace

TEST_CASE("in-process HTTP: a request's octets get the server's framing and keep-alive", "[net][transport]") {
  InProcessEchoHandler handler;
  net::HttpServerConfig config;
  config.serverName = "kerbpool-frontend/fe01";
  auto server = test::startServer(config, handler);
  {
    auto conn = server->connectInProcess("127.0.0.5:40000");
    REQUIRE(conn.ok());
    auto first = (*conn)->exchange(requestFor("/a"));
    REQUIRE(first.ok());
    CHECK(first->rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(first->find("Server: kerbpool-frontend/fe01\r\n") != std::string::npos);
    const std::string body = "peer=127.0.0.5:40000 n=1 GET /a";
    CHECK(bodyOfResponse(*first) == body);
    CHECK(first->find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
    auto head = (*conn)->exchange("HEAD /b HTTP/1.1\r\nHost: fe01\r\n\r\n");
    REQUIRE(head.ok());
    CHECK(bodyOfResponse(*head).empty());
    // HEAD: the length the GET's body would have, no body.
    const std::string headBody = "peer=127.0.0.5:40000 n=2 HEAD /b";
    CHECK(head->find("Content-Length: " + std::to_string(headBody.size()) + "\r\n") != std::string::npos);
    CHECK(server->stats().activeConnections == 1);
    auto last = (*conn)->exchange(requestFor("/close"));
    REQUIRE(last.ok());
    CHECK(last->find("Connection: close\r\n") != std::string::npos);
    CHECK(bodyOfResponse(*last) == "peer=127.0.0.5:40000 n=3 GET /close");
    CHECK((*conn)->closed());
    const auto after = (*conn)->exchange(requestFor("/a"));
    REQUIRE_FALSE(after.ok());
    CHECK(after.error().code == "connection_closed");
  }
  const auto s = server->stats();
  CHECK(s.connections == 1);
  CHECK(s.requests == 3);
  CHECK(s.activeConnections == 0);
  CHECK(handler.closed == 1);
}

TEST_CASE("in-process HTTP: what a TCP session refuses is refused the same way", "[net][transport]") {
  InProcessEchoHandler handler;
  net::HttpServerConfig config;
  config.headerLimit = 1024;
  config.bodyLimit = 16;
  auto server = test::startServer(config, handler);
  const auto c = GENERATE(
      TransportCase{requestFor("/a", "X-Big: " + std::string(2000, 'x') + "\r\n"), "431"},
      TransportCase{"POST /a HTTP/1.1\r\nHost: fe01\r\nContent-Length: 17\r\n\r\n" + std::string(17, 'b'),
                    "413"},
      TransportCase{
          "GET /a HTTP/1.1\r\nHost: fe01\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400"},
      TransportCase{"GET /a HTTP/1.1\r\n\r\n", "400"},            // no Host (RFC 9112 3.2)
      TransportCase{"GET /a HTTP/1.1\r\nHost: fe01\r\n", "400"},  // cut short
      TransportCase{"BLAH\r\n\r\n", "400"});
  INFO(c.request.substr(0, 80));
  auto conn = server->connectInProcess("127.0.0.5:40001");
  REQUIRE(conn.ok());
  auto answer = (*conn)->exchange(c.request);
  REQUIRE(answer.ok());
  CHECK(answer->rfind("HTTP/1.1 " + c.status, 0) == 0);
  CHECK(answer->find("Connection: close\r\n") != std::string::npos);
  CHECK((*conn)->closed());
  CHECK(server->stats().requests == 0);
  const auto s = server->stats();
  CHECK(s.badRequests + s.headerTooLarge + s.bodyTooLarge == 1);
}

TEST_CASE("in-process HTTP: a recycle closes idle connections and spares a half-done handshake until it ends",
          "[net][transport]") {
  InProcessEchoHandler handler;
  auto server = test::startServer({}, handler);
  auto idle = server->connectInProcess("127.0.0.5:40002");
  auto pending = server->connectInProcess("127.0.0.5:40003");
  REQUIRE(idle.ok());
  REQUIRE(pending.ok());
  REQUIRE((*idle)->exchange(requestFor("/a")).ok());
  REQUIRE((*pending)->exchange(requestFor("/pending")).ok());
  CHECK(server->recycleConnections() == 2);
  CHECK((*idle)->closed());
  CHECK_FALSE((*pending)->closed());
  auto last = (*pending)->exchange(requestFor("/done"));
  REQUIRE(last.ok());
  CHECK(last->find("Connection: close\r\n") != std::string::npos);
  CHECK((*pending)->closed());
}

TEST_CASE("in-process HTTP: a stopped server refuses connections and closes its open ones",
          "[net][transport]") {
  InProcessEchoHandler handler;
  auto server = test::startServer({}, handler);
  auto open = server->connectInProcess("127.0.0.5:40004");
  REQUIRE(open.ok());
  server->stop();
  CHECK((*open)->closed());
  const auto refused = server->connectInProcess("127.0.0.5:40005");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "connect_failed");
  CHECK(refused.error().detail.find("stopped") != std::string::npos);
}

TEST_CASE("in-process HTTP network: routes by address and port and refuses what nobody serves",
          "[net][transport]") {
  InProcessEchoHandler handler;
  auto server = test::startServer({}, handler);
  net::InProcessHttpNetwork network;
  network.listen("127.0.0.1", server->port(),
                 [&](const std::string& peer) { return server->connectInProcess(peer); });
  CHECK(network.serves("127.0.0.1", server->port()));
  CHECK_FALSE(network.serves("127.0.0.2", server->port()));
  auto a = network.connect("127.0.0.7", "127.0.0.1", server->port());
  auto b = network.connect("127.0.0.7", "127.0.0.1", server->port());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const auto peerA = bodyOfResponse(*(*a)->exchange(requestFor("/a")));
  const auto peerB = bodyOfResponse(*(*b)->exchange(requestFor("/a")));
  CHECK(peerA.rfind("peer=127.0.0.7:", 0) == 0);
  CHECK(peerA != peerB);  // each connection its own port
  const auto none = network.connect("127.0.0.7", "127.0.0.1", 1);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "connect_failed");
  CHECK(none.error().detail.find("connection refused") != std::string::npos);
}
