#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/x509.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using namespace std::chrono_literals;
using loadbalancer::LbMode;
using loadbalancer::LbServer;
using test::startLb;

TEST_CASE("lb tcp: a client connection is pinned to one node for its whole life",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01, &fe02}, LbMode::Tcp), rng);
  std::vector<std::string> connectionNodes;
  for (int conn = 0; conn < 2; ++conn) {
    test::HttpTestClient c(lb->port());
    std::set<std::string> nodes;
    std::set<std::string> ids;
    for (int i = 1; i <= 4; ++i) {
      auto r = c.get("/negotiate");
      REQUIRE(r.has_value());
      const auto f = test::echoFields(r->body);
      nodes.insert(f.at("node"));
      ids.insert(f.at("conn"));
      CHECK(f.at("req") == std::to_string(i));
      CHECK(f.at("xff") == "-");  // layer 4 does not touch the bytes
    }
    CHECK(nodes.size() == 1);
    CHECK(ids.size() == 1);
    connectionNodes.push_back(*nodes.begin());
  }
  CHECK(connectionNodes == std::vector<std::string>{"fe01", "fe02"});
  CHECK(test::backendStats(*lb, "fe01").requests == 1);  // connections relayed
  REQUIRE(test::waitUntil(*lb, [&] { return lb->stats().totals.activeClientConnections == 0; }));
  CHECK(test::backendStats(*lb, "fe01").active == 0);
}

TEST_CASE("lb tcp: a refused node is skipped and none left closes the connection",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01, &fe02}, LbMode::Tcp), rng);
  fe01.stop();
  {
    test::HttpTestClient c(lb->port());
    auto r = c.get("/");
    REQUIRE(r.has_value());
    CHECK(test::echoFields(r->body).at("node") == "fe02");
  }
  CHECK(test::backendStats(*lb, "fe01").errors == 1);
  fe02.stop();
  test::HttpTestClient c(lb->port());
  CHECK(c.waitForClose());
  CHECK(lb->stats().totals.serviceUnavailable == 1);
}

TEST_CASE("lb tcp: TLS passes through to TLS nodes (curl with the pool CA)", "[loadbalancer][integration]") {
  const std::string curl = test::requireTool("curl");
  test::TempDir dir;
  core::SystemClock clock;
  auto bundle =
      core::crypto::generateTlsBundle({"pool.contoso.test"}, clock.now() - std::chrono::hours(1), 2);
  REQUIRE(bundle.ok());
  auto files = bundle->writePemFiles(dir.path());
  REQUIRE(files.ok());
  const net::TlsFiles tls{files->serverCertificate.string(), files->serverPrivateKey.string()};
  test::EchoNode fe01("fe01", tls), fe02("fe02", tls);
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02}, LbMode::Tcp);
  config.health.interval = 50ms;
  config.health.tls = true;  // the nodes speak TLS only
  config.backendCaFile = files->caCertificate.string();
  config.backendTlsName = "pool.contoso.test";
  auto lb = startLb(config, rng);
  REQUIRE(test::waitUntil(*lb, [&] { return test::backendStats(*lb, "fe02").checks >= 1; }));
  CHECK(test::backendStats(*lb, "fe02").failedChecks == 0);

  const std::string port = std::to_string(lb->port());
  std::set<std::string> nodes;
  for (int i = 0; i < 2; ++i) {
    auto r = test::runCommand(curl + " -sS --noproxy '*' --max-time 20 --cacert " +
                              test::shellQuote(files->caCertificate.string()) +
                              " --resolve pool.contoso.test:" + port +
                              ":127.0.0.1 https://pool.contoso.test:" + port + "/tls");
    INFO(r.output);
    REQUIRE(r.exitCode == 0);
    const auto f = test::echoFields(r.output);
    nodes.insert(f.at("node"));
    CHECK(f.at("target") == "/tls");
  }
  CHECK(nodes == std::set<std::string>{"fe01", "fe02"});
}

namespace {

loadbalancer::LbConfig rawNodeConfig(std::uint16_t port) {
  loadbalancer::LbConfig c;
  c.mode = LbMode::Tcp;
  c.backends.push_back({"raw01", "127.0.0.1", port});
  c.health.interval = 0ms;
  c.upstreamConnectTimeout = 2000ms;
  return c;
}

core::Bytes pattern(std::size_t n, std::uint8_t seed) {
  core::Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) {
    b[i] = static_cast<std::uint8_t>((i * 31 + seed) ^ (i >> 9));
  }
  return b;
}

}  // namespace

TEST_CASE("lb tcp: a megabyte each way arrives whole and in order and half-closes are passed on",
          "[loadbalancer][integration]") {
  test::TcpTestListener node;
  REQUIRE(node.port() != 0);
  core::SeededRng rng(1);
  auto config = rawNodeConfig(node.port());
  config.threads = GENERATE(1u, 2u);  // two: the session and the relay run on different threads
  auto lb = startLb(config, rng);
  const core::Bytes upload = pattern(1 << 20, 7);
  const core::Bytes download = pattern((1 << 20) + 123, 9);  // not a multiple of the relay's buffer

  // The node reads the whole upload, sees the client's half-close, then answers and closes.
  std::optional<core::Bytes> received;
  bool nodeSawEnd = false;
  bool nodeSent = false;
  std::thread nodeThread([&] {
    auto conn = node.accept(5000ms);
    if (!conn) {
      return;
    }
    received = conn->receive(upload.size(), 10000ms);
    nodeSawEnd = received && conn->waitForClose(10000ms);  // the end of the client's sending, passed on
    nodeSent = nodeSawEnd && conn->send(download);
    conn->close();
  });
  test::TcpClient client(lb->port());
  REQUIRE(client.connected());
  CHECK(client.send(upload));
  CHECK(client.shutdownSend());
  const auto reply = client.receive(download.size(), 10000ms);
  const bool clientSawEnd = client.waitForClose(10000ms);
  nodeThread.join();

  REQUIRE(received.has_value());
  CHECK(*received == upload);
  CHECK(nodeSawEnd);
  CHECK(nodeSent);
  REQUIRE(reply.has_value());
  CHECK(*reply == download);
  CHECK(clientSawEnd);
  // Both sides ended their sending: the pair is over and the session gone.
  REQUIRE(test::waitUntil(*lb, [&] { return lb->stats().totals.activeClientConnections == 0; }));
  CHECK(test::backendStats(*lb, "raw01").active == 0);
  CHECK(lb->stats().totals.timeouts == 0);
}

TEST_CASE("lb tcp: a connection without an octet for the idle timeout is closed and counted",
          "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01}, LbMode::Tcp);
  config.tcpIdleTimeout = 300ms;
  auto lb = startLb(config, rng);
  test::HttpTestClient busy(lb->port());
  REQUIRE(busy.get("/").has_value());
  test::TcpClient idle(lb->port());
  REQUIRE(idle.connected());
  // The busy connection sends a request every 20 ms (well inside the timeout) until the idle one is closed.
  bool idleClosed = false;
  for (int i = 0; i < 500 && !idleClosed; ++i) {
    REQUIRE(busy.get("/").has_value());
    idleClosed = idle.waitForClose(20ms);
  }
  CHECK(idleClosed);
  CHECK(busy.get("/").has_value());
  REQUIRE(test::waitUntil(*lb, [&] { return lb->stats().totals.timeouts == 1; }));
  CHECK(lb->stats().totals.activeClientConnections == 1);
}

TEST_CASE("lb tcp: stopping the balancer ends the connections it relays", "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto lb = startLb(test::lbConfig({&fe01}, LbMode::Tcp), rng);
  test::HttpTestClient c(lb->port());
  REQUIRE(c.get("/").has_value());
  test::TcpClient raw(lb->port());
  REQUIRE(raw.connected());
  lb->stop();
  CHECK(raw.waitForClose());
  CHECK_FALSE(c.get("/").has_value());
}
