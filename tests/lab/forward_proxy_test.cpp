// The lab's forward proxy: request lines it accepts, names it refuses, and a CONNECT tunnel and an
// absolute-form request relayed to a loopback server.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/forward_proxy.hpp"

using namespace kerbpool;

namespace {

int listenLoopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int connectTo(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void sendText(int fd, const std::string& s) {
  REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size()));
}

// Reads until `until` appears (or the peer closes, or 10 s pass).
std::string readUntil(int fd, const std::string& until) {
  std::string got;
  char buf[4096];
  while (got.find(until) == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      break;
    }
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

}  // namespace

TEST_CASE("lab proxy: request lines", "[lab]") {
  auto connect = lab::parseProxyRequestLine("CONNECT", "Pool.Contoso.Test:443");
  REQUIRE(connect.ok());
  CHECK(connect->connect);
  CHECK(connect->host == "pool.contoso.test");
  CHECK(connect->port == 443);
  auto get = lab::parseProxyRequestLine("GET", "http://pool.contoso.test/WebTicket/x?a=1");
  REQUIRE(get.ok());
  CHECK(get->port == 80);
  CHECK(get->originForm == "/WebTicket/x?a=1");
  CHECK(lab::parseProxyRequestLine("GET", "http://pool.contoso.test:8080")->originForm == "/");
  CHECK(lab::parseProxyRequestLine("GET", "http://pool.contoso.test:8080")->port == 8080);
  CHECK_FALSE(lab::parseProxyRequestLine("GET", "/origin/form").ok());
  CHECK_FALSE(lab::parseProxyRequestLine("GET", "https://pool.contoso.test/").ok());
  CHECK_FALSE(lab::parseProxyRequestLine("CONNECT", "pool.contoso.test").ok());
  CHECK_FALSE(lab::parseProxyRequestLine("CONNECT", "pool.contoso.test:99999").ok());
  CHECK_FALSE(lab::parseProxyRequestLine("CONNECT", "po ol:443").ok());
  CHECK_FALSE(lab::parseProxyRequestLine("GET", "http://[::1]/").ok());
}

TEST_CASE("lab proxy: the lab's names are tunnelled or forwarded, every other refused", "[lab]") {
  std::uint16_t serverPort = 0;
  const int server = listenLoopback(serverPort);
  lab::ForwardProxyConfig config;
  config.resolve = [&](const std::string& host, std::uint16_t) -> std::optional<std::uint16_t> {
    return host == "pool.contoso.test" ? std::optional<std::uint16_t>(serverPort) : std::nullopt;
  };
  auto proxy = lab::ForwardProxy::start(config);
  REQUIRE(proxy.ok());

  SECTION("CONNECT: 200, then bytes both ways") {
    const int client = connectTo((*proxy)->port());
    sendText(client, "CONNECT pool.contoso.test:443 HTTP/1.1\r\nHost: pool.contoso.test:443\r\n\r\n");
    CHECK(readUntil(client, "\r\n\r\n").rfind("HTTP/1.1 200", 0) == 0);
    const int upstream = ::accept(server, nullptr, nullptr);
    REQUIRE(upstream >= 0);
    sendText(client, "ping");
    CHECK(readUntil(upstream, "ping") == "ping");
    sendText(upstream, "pong");
    CHECK(readUntil(client, "pong") == "pong");
    ::close(upstream);
    ::close(client);
    CHECK((*proxy)->stats().tunnels == 1);
  }
  SECTION("absolute form: the request line in origin form, the headers as sent") {
    const int client = connectTo((*proxy)->port());
    sendText(client, "GET http://pool.contoso.test/WebTicket/x HTTP/1.1\r\nHost: pool.contoso.test\r\n\r\n");
    const int upstream = ::accept(server, nullptr, nullptr);
    REQUIRE(upstream >= 0);
    CHECK(readUntil(upstream, "\r\n\r\n") == "GET /WebTicket/x HTTP/1.1\r\nHost: pool.contoso.test\r\n\r\n");
    sendText(upstream, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK(readUntil(client, "\r\n\r\n") == "HTTP/1.1 204 No Content\r\n\r\n");
    ::close(upstream);
    ::close(client);
  }
  SECTION("another name: 403, nothing connected") {
    const int client = connectTo((*proxy)->port());
    sendText(client, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
    const auto answer = readUntil(client, "\n\n");
    CHECK(answer.rfind("HTTP/1.1 403", 0) == 0);
    CHECK(answer.find("'example.com' is not one of them") != std::string::npos);
    ::close(client);
    CHECK((*proxy)->stats().refused == 1);
  }
  SECTION("garbage and an endless head: 400 and 431, and the proxy keeps serving") {
    const int a = connectTo((*proxy)->port());
    sendText(a, "\x16\x03\x01 not http\r\n\r\n");
    CHECK(readUntil(a, "\n\n").rfind("HTTP/1.1 400", 0) == 0);
    ::close(a);
    const int b = connectTo((*proxy)->port());
    sendText(b, "GET http://pool.contoso.test/ HTTP/1.1\r\n" + std::string(20000, 'x'));
    CHECK(readUntil(b, "\n\n").rfind("HTTP/1.1 431", 0) == 0);
    ::close(b);
    const int c = connectTo((*proxy)->port());
    sendText(c, "CONNECT example.com:443 HTTP/1.1\r\n\r\n");
    CHECK(readUntil(c, "\n\n").rfind("HTTP/1.1 403", 0) == 0);
    ::close(c);
  }
  (*proxy)->stop();
  ::close(server);
}
