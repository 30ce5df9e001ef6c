// Regressions for requests that used to end a node (issue 19): oversized fields and trailers that Beast
// throws on, trailers outside the header limit, and RFC 9112 framing Beast accepts.
#include <atomic>
#include <catch2/catch.hpp>

#include "net/http_server.hpp"
#include "tests/net/server_fixture.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using net::HttpServerConfig;
using test::startServer;

namespace {

class OkHandler : public net::HttpHandler {
 public:
  net::HttpResponse handle(const net::HttpRequest& req, net::ConnectionContext&) override {
    handled++;
    net::HttpResponse r;
    r.add("Content-Type", "text/plain");
    r.body = "ok " + req.target + "\n";
    return r;
  }
  std::atomic<int> handled{0};
};

// POST with a chunked body "hello" and the given trailer section (each field "name: value").
std::string chunkedPost(const std::vector<std::string>& trailer) {
  std::string s = "POST /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n";
  for (const auto& field : trailer) {
    s += field + "\r\n";
  }
  return s + "\r\n";
}

// The status of the one response to `raw` on a new connection (0: none), and whether the server closed.
int answer(std::uint16_t port, const std::string& raw, bool* closed = nullptr) {
  test::HttpTestClient c(port);
  REQUIRE(c.send(raw));
  auto r = c.readResponse();
  if (closed != nullptr) {
    *closed = c.waitForClose();
  }
  return r ? r->status : 0;
}

void checkStillServing(std::uint16_t port) {
  test::HttpTestClient c(port);
  auto r = c.get("/after");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

}  // namespace

TEST_CASE("http server abuse: a 65,534-octet trailer field gets 431, the node lives",
          "[frontend][integration]") {
  OkHandler h;
  auto server = startServer(HttpServerConfig{}, h);
  bool closed = false;
  CHECK(answer(server->port(), chunkedPost({"X-T: " + std::string(65534, 'a')}), &closed) == 431);
  CHECK(closed);
  CHECK(answer(server->port(), chunkedPost({"X-T: " + std::string(65533, 'a')})) == 431);  // over 16 KiB too
  CHECK(answer(server->port(), chunkedPost({"X-T: small"})) == 200);
  checkStillServing(server->port());
  CHECK(server->stats().headerTooLarge == 2);
  CHECK(server->stats().handlerExceptions == 0);
}

TEST_CASE("http server abuse: with a 200,000-octet header limit, fields Beast cannot hold get 431",
          "[frontend][integration]") {
  OkHandler h;
  HttpServerConfig c;
  c.headerLimit = 200000;
  auto server = startServer(c, h);
  // A header field value of 65,534 octets (Beast 1.74 throws std::length_error on it).
  CHECK(answer(server->port(), test::httpGetText("/x", {{"X-Big", std::string(65534, 'b')}})) == 431);
  // The same in a trailer.
  CHECK(answer(server->port(), chunkedPost({"X-T: " + std::string(65534, 'a')})) == 431);
  // 65,533 octets is within what a field may hold and within the limit.
  CHECK(answer(server->port(), test::httpGetText("/x", {{"X-Big", std::string(65533, 'b')}})) == 200);
  checkStillServing(server->port());
  CHECK(server->stats().handlerExceptions == 0);
  CHECK(h.handled == 2);
}

TEST_CASE("http server abuse: trailers are bounded like headers", "[frontend][integration]") {
  OkHandler h;
  auto server = startServer(HttpServerConfig{}, h);
  // 10,000 trailer fields: 431, never handed to the handler.
  std::vector<std::string> many;
  for (int i = 0; i < 10000; ++i) {
    many.push_back("t" + std::to_string(i) + ": v");
  }
  CHECK(answer(server->port(), chunkedPost(many)) == 431);
  // A trailer section that never ends: refused once it outgrows the limit, not buffered.
  {
    test::HttpTestClient c(server->port());
    std::string start =
        "POST /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n";
    REQUIRE(c.send(start));
    std::string lines;
    for (int i = 0; i < 1000; ++i) {
      lines += "x-trailer-field: 0123456789012345678901234567890123456789\r\n";
    }
    int sent = 0;
    while (sent < 2 && c.send(lines)) {  // 2 x 61 KB > the 16 KiB limit plus one read
      sent++;
    }
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 431);
  }
  CHECK(h.handled == 0);
  checkStillServing(server->port());
}

TEST_CASE("http server abuse: RFC 9112 framing and Host", "[frontend][integration]") {
  OkHandler h;
  auto server = startServer(HttpServerConfig{}, h);
  const auto port = server->port();
  // Transfer-Encoding that is not chunked, with Content-Length (RFC 9112 6.3: 400).
  CHECK(answer(
            port,
            "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello") ==
        400);
  CHECK(answer(port,
               "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n") ==
        400);
  // A coding before chunked: not implemented.
  CHECK(answer(port, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") ==
        501);
  // HTTP/1.1 without Host, or with two (RFC 9112 3.2: 400); HTTP/1.0 without Host is fine.
  CHECK(answer(port, "GET /x HTTP/1.1\r\n\r\n") == 400);
  CHECK(answer(port, "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
  CHECK(answer(port, "GET /x HTTP/1.0\r\n\r\n") == 200);
  // Chunked alone, any case, is fine.
  CHECK(answer(port, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n") == 200);
  CHECK(h.handled == 2);
  CHECK(server->stats().badRequests == 5);
}
