// Regressions for what used to end the balancer (issue 19), in both directions: a client's request with a
// field or trailer Beast throws on, and a node's response with one; RFC 9112 framing is never forwarded.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "core/common/rng.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using loadbalancer::LbServer;
using test::startLb;

namespace {

// A node that reads each request head and answers with response(n) for its n-th request, then closes.
class RawNode {
 public:
  explicit RawNode(std::function<std::string(int)> response) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawNode() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  void serve() {
    for (int n = 0;; ++n) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        return;
      }
      std::string head;
      char ch = 0;
      while (!head.ends_with("\r\n\r\n") && ::read(c, &ch, 1) == 1) {
        head += ch;
      }
      const std::string out = response_(n);
      std::size_t done = 0;
      while (done < out.size()) {
        const auto w = ::write(c, out.data() + done, out.size() - done);
        if (w <= 0) {
          break;
        }
        done += static_cast<std::size_t>(w);
      }
      ::shutdown(c, SHUT_WR);
      while (::read(c, &ch, 1) == 1) {
      }
      ::close(c);
    }
  }
  std::function<std::string(int)> response_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

int answer(std::uint16_t port, const std::string& raw) {
  test::HttpTestClient c(port);
  REQUIRE(c.send(raw));
  auto r = c.readResponse();
  return r ? r->status : 0;
}

std::string chunkedPost(const std::string& trailerField) {
  return "POST /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" +
         trailerField + "\r\n\r\n";
}

}  // namespace

TEST_CASE("lb abuse: a client's 65,534-octet trailer or field gets 431, the balancer lives",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01});
  auto lb = startLb(config, rng);
  CHECK(answer(lb->port(), chunkedPost("X-T: " + std::string(65534, 'a'))) == 431);
  CHECK(answer(lb->port(), test::httpGetText("/x", {{"X-Big", std::string(65534, 'b')}})) == 431);
  config.headerLimit = 200000;
  auto big = startLb(config, rng);
  CHECK(answer(big->port(), test::httpGetText("/x", {{"X-Big", std::string(65534, 'b')}})) == 431);
  CHECK(answer(big->port(), chunkedPost("X-T: " + std::string(65534, 'a'))) == 431);
  CHECK(fe01.handler().requests() == 0);
  CHECK(answer(lb->port(), test::httpGetText("/fine")) == 200);
  CHECK(answer(big->port(), test::httpGetText("/fine")) == 200);
  CHECK(lb->stats().totals.handlerExceptions == 0);
  CHECK(big->stats().totals.handlerExceptions == 0);
}

TEST_CASE("lb abuse: a node's response with a 65,534-octet trailer field gives 502, the balancer lives",
          "[loadbalancer][integration]") {
  RawNode node([](int n) {
    if (n == 0) {
      return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: " +
             std::string(65534, 't') + "\r\n\r\n";
    }
    if (n == 1) {
      return "HTTP/1.1 200 OK\r\nX-Big: " + std::string(65534, 'h') + "\r\nContent-Length: 2\r\n\r\nok";
    }
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfine\n");
  });
  loadbalancer::LbConfig config;
  config.backends.push_back({"raw", "127.0.0.1", node.port()});
  config.health.interval = std::chrono::milliseconds(0);
  config.upstreamReadTimeout = std::chrono::milliseconds(3000);
  core::SeededRng rng(1);
  auto lb = startLb(config, rng);
  CHECK(answer(lb->port(), test::httpGetText("/trailer")) == 502);
  CHECK(answer(lb->port(), test::httpGetText("/field")) == 502);
  test::HttpTestClient c(lb->port());
  auto r = c.get("/fine");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body == "fine\n");
  CHECK(lb->stats().totals.handlerExceptions == 0);
}

TEST_CASE("lb abuse: ambiguous framing and a missing Host are refused, never forwarded",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01}), rng);
  const auto port = lb->port();
  CHECK(answer(
            port,
            "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello") ==
        400);
  CHECK(answer(port,
               "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: "
               "5\r\n\r\n0\r\n\r\n") == 400);
  CHECK(answer(port, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") ==
        501);
  CHECK(answer(port, "GET /x HTTP/1.1\r\n\r\n") == 400);
  CHECK(answer(port, "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
  CHECK(fe01.handler().requests() == 0);
  CHECK(lb->stats().totals.badRequests == 5);
  CHECK(answer(port, test::httpGetText("/fine")) == 200);
}

TEST_CASE("lb abuse: smuggling shapes are refused, never forwarded ambiguously", "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01}), rng);
  const auto port = lb->port();
  // Two Content-Lengths (different or equal), bare LF line ends, a Content-Length that is not a number, and
  // chunked with a Content-Length: each is one request to the balancer and could be two to a node.
  for (const std::string& raw : {
           std::string("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhelloGET /y HTTP/1.1\r\n\r\n"),
           std::string("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
           std::string("GET /x HTTP/1.1\nHost: a\n\n"),
           std::string("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
           std::string("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
           std::string("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n"),
       }) {
    INFO(raw);
    test::HttpTestClient c(port);
    REQUIRE(c.send(raw));
    auto r = c.readResponse();
    REQUIRE(r.has_value());
    CHECK(r->status == 400);
    CHECK(c.waitForClose());
  }
  CHECK(fe01.handler().requests() == 0);
  // A request that is well framed still goes through.
  CHECK(answer(port, test::httpGetText("/fine")) == 200);
  CHECK(fe01.handler().requests() == 1);
}
