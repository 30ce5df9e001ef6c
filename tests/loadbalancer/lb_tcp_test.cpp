#include <catch2/catch.hpp>
#include <set>

#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/x509.hpp"
#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/support/http_client.hpp"
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
