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
using loadbalancer::LbServer;

namespace {

struct PoolCertificates {
  PoolCertificates() {
    core::SystemClock clock;
    auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test", "fe01.contoso.test"},
                                                  clock.now() - std::chrono::hours(1), 2);
    REQUIRE(bundle.ok());
    auto f = bundle->writePemFiles(dir.path());
    REQUIRE(f.ok());
    files = *f;
  }
  test::TempDir dir;
  core::crypto::PemFilePaths files;
};

}  // namespace

TEST_CASE("lb http: TLS terminated with a certificate for the pool name (curl)",
          "[loadbalancer][integration]") {
  const std::string curl = test::requireTool("curl");
  PoolCertificates certs;
  test::EchoNode fe01("fe01"), fe02("fe02");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02});
  config.tls =
      loadbalancer::LbTlsFiles{certs.files.serverCertificate.string(), certs.files.serverPrivateKey.string()};
  auto lb = LbServer::start(config, rng);
  REQUIRE(lb.ok());
  const std::string port = std::to_string((*lb)->port());
  const std::string base =
      curl + " -sS --noproxy '*' --max-time 20 --resolve pool.contoso.test:" + port + ":127.0.0.1 ";
  const std::string url = "https://pool.contoso.test:" + port;
  // Two URLs in one run share one TLS connection; the balancer still spreads them.
  auto r = test::runCommand(base + "--cacert " + test::shellQuote(certs.files.caCertificate.string()) + " " +
                            url + "/one -o - " + url + "/two");
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(r.output.find("node=fe01 ") != std::string::npos);
  CHECK(r.output.find("node=fe02 ") != std::string::npos);
  CHECK(r.output.find("xff=127.0.0.1 ") != std::string::npos);
  CHECK((*lb)->stats().totals.clientConnections == 1);

  auto untrusted = test::runCommand(base + url + "/three");
  CHECK(untrusted.exitCode == 60);  // CURLE_PEER_FAILED_VERIFICATION
  REQUIRE(test::waitUntil(**lb, [&] { return (*lb)->stats().totals.tlsHandshakeFailures == 1; }));
}

TEST_CASE("lb http: re-encrypts to TLS nodes whose certificates chain to the CA",
          "[loadbalancer][integration]") {
  PoolCertificates certs;
  PoolCertificates other;  // a different CA
  const net::TlsFiles tls{certs.files.serverCertificate.string(), certs.files.serverPrivateKey.string()};
  test::EchoNode fe01("fe01", tls), fe02("fe02", tls);
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01, &fe02});
  config.backendTls = true;
  config.backendTlsName = "pool.contoso.test";

  SECTION("the right CA: answers from both nodes") {
    config.backendCaFile = certs.files.caCertificate.string();
    auto lb = LbServer::start(config, rng);
    REQUIRE(lb.ok());
    test::HttpTestClient c((*lb)->port());
    std::set<std::string> nodes;
    for (int i = 0; i < 2; ++i) {
      auto r = c.get("/secure");
      REQUIRE(r.has_value());
      CHECK(r->status == 200);
      nodes.insert(test::echoFields(r->body).at("node"));
    }
    CHECK(nodes == std::set<std::string>{"fe01", "fe02"});
  }
  SECTION("another CA: 502 naming the handshake, never the node's answer") {
    config.backendCaFile = other.files.caCertificate.string();
    auto lb = LbServer::start(config, rng);
    REQUIRE(lb.ok());
    test::HttpTestClient c((*lb)->port());
    auto r = c.get("/secure");
    REQUIRE(r.has_value());
    CHECK(r->status == 502);
    CHECK(r->body.find("tls handshake") != std::string::npos);
    CHECK(fe01.handler().requests() + fe02.handler().requests() == 0);
  }
  SECTION("a name the certificate does not carry: 502") {
    config.backendCaFile = certs.files.caCertificate.string();
    config.backendTlsName = "fe02.contoso.test";
    auto lb = LbServer::start(config, rng);
    REQUIRE(lb.ok());
    test::HttpTestClient c((*lb)->port());
    auto r = c.get("/secure");
    REQUIRE(r.has_value());
    CHECK(r->status == 502);
  }
}

TEST_CASE("lb config errors at start name the file or setting", "[loadbalancer][integration]") {
  test::EchoNode fe01("fe01");
  core::SeededRng rng(1);
  auto config = test::lbConfig({&fe01});
  config.tls = loadbalancer::LbTlsFiles{"/nonexistent/server.pem", "/nonexistent/key.pem"};
  auto lb = LbServer::start(config, rng);
  REQUIRE_FALSE(lb.ok());
  CHECK(lb.error().code == "tls_certificate");
  CHECK(lb.error().detail.find("/nonexistent/server.pem") != std::string::npos);
  config.tls.reset();
  config.backends.push_back({"fe01", "127.0.0.1", 1});
  CHECK(LbServer::start(config, rng).error().code == "duplicate_backend");
}
