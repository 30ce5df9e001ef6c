// The pool as users meet it: kerbpool's KDC, three kerbpool front-ends holding the shared account's key, and
// the load balancer in front, all on 127.0.0.1 with real sockets; clients are kerbpool's workstation and
// curl.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

#include "tests/loadbalancer/lb_fixture.hpp"
#include "tests/loadbalancer/pool_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using test::Pool;
using test::Workstation;

TEST_CASE("behind layer 7 round-robin the shared account's Kerberos succeeds on every request and every node",
          "[loadbalancer][integration]") {
  test::KdcFixture kdc;
  Pool pool(kdc);
  core::SeededRng lbRng(1);
  auto lb = loadbalancer::LbServer::start(pool.lbConfig(loadbalancer::LbMode::Http), lbRng);
  REQUIRE(lb.ok());
  Workstation alice(kdc, "alice", "Passw0rd!");
  const std::string url =
      "http://pool.contoso.test:" + std::to_string((*lb)->port()) + "/WebTicket/WebTicketService.svc";
  std::set<std::string> nodes;
  for (int i = 0; i < 9; ++i) {
    auto outcome = alice.http->get(url);
    INFO(outcome.reason);
    REQUIRE(outcome.kind == client::OutcomeKind::Kerberos);
    CHECK(outcome.status == 200);
    CHECK(outcome.spn == "HTTP/pool.contoso.test");
    nodes.insert(outcome.node);
  }
  CHECK(nodes == std::set<std::string>{"fe01", "fe02", "fe03"});
  for (const auto& n : pool.nodes) {
    CHECK(n->stats().allowed == 3);
    CHECK(n->stats().denied == 0);
  }
}

TEST_CASE(
    "a front-end killed mid-run is taken out by the health check and nothing is answered 200 unauthenticated",
    "[loadbalancer][integration]") {
  test::KdcFixture kdc;
  Pool pool(kdc);
  core::SeededRng lbRng(2);
  auto lb = loadbalancer::LbServer::start(pool.lbConfig(loadbalancer::LbMode::Http), lbRng);
  REQUIRE(lb.ok());
  Workstation alice(kdc, "alice", "Passw0rd!");
  const std::string url = "http://pool.contoso.test:" + std::to_string((*lb)->port()) + "/ABS/handler";
  REQUIRE(alice.http->get(url).kind == client::OutcomeKind::Kerberos);

  pool.servers[1]->stop();  // fe02 dies
  REQUIRE(test::waitUntil(**lb, [&] { return !test::backendStats(**lb, "fe02").up; }));
  int kerberos = 0;
  int failed = 0;
  std::set<std::string> nodes;
  for (int i = 0; i < 12; ++i) {
    auto o = alice.http->get(url);
    if (o.kind == client::OutcomeKind::Kerberos) {
      ++kerberos;
      nodes.insert(o.node);
    } else {
      ++failed;
      CHECK(o.status != 200);  // a failure is never a 200
    }
  }
  CHECK(kerberos == 12);  // fe02 is out: every request lands on a live node
  // Every GET is two requests (anonymous, then with a token): round-robin over the two live nodes sends the
  // anonymous leg to one and the authenticated leg to the other. fe02 gets nothing.
  CHECK(nodes.count("fe02") == 0);
  CHECK(test::backendStats(**lb, "fe02").requests == 1);
  CHECK(test::backendStats(**lb, "fe01").requests + test::backendStats(**lb, "fe03").requests >= 24);
  CHECK(failed == 0);
  const auto stats = (*lb)->stats();
  CHECK(test::backendStats(**lb, "fe02").wentDown == 1);
  CHECK(stats.totals.requests >= 13);

  // An anonymous request through the balancer is still refused.
  test::HttpTestClient anon((*lb)->port());
  auto r = anon.get("/ABS/handler", {{"Host", "pool.contoso.test"}});
  REQUIRE(r.has_value());
  CHECK(r->status == 401);
}

TEST_CASE("curl --negotiate through the load balancer: TLS terminated and TLS passed through",
          "[loadbalancer][integration][interop]") {
  test::KdcFixture kdc;
  REQUIRE(kdc.kinit("alice", "Passw0rd!").exitCode == 0);
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, core::SystemClock().now());
  REQUIRE(bundle.ok());
  auto files = bundle->writePemFiles(kdc.dir() / "tls");
  REQUIRE(files.ok());
  const std::string curl = test::requireTool("curl");

  auto curlNegotiate = [&](std::uint16_t port) {
    return kdc.run(curl + " -sS --negotiate -u : --cacert " + files->caCertificate.string() +
                   " --resolve pool.contoso.test:" + std::to_string(port) +
                   ":127.0.0.1 https://pool.contoso.test:" + std::to_string(port) +
                   "/Autodiscover/x -w ' HTTP%{http_code}'");
  };

  SECTION("http mode terminates TLS with the pool's certificate") {
    Pool pool(kdc);
    auto config = pool.lbConfig(loadbalancer::LbMode::Http);
    config.tls =
        loadbalancer::LbTlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()};
    core::SeededRng lbRng(3);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    auto r = curlNegotiate((*lb)->port());
    INFO(r.output);
    CHECK(r.exitCode == 0);
    CHECK(r.output.find("alice@CONTOSO.TEST") != std::string::npos);
    CHECK(r.output.find("HTTP200") != std::string::npos);
  }
  SECTION("tcp mode passes TLS through to TLS front-ends") {
    Pool pool(kdc, net::TlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()});
    auto config = pool.lbConfig(loadbalancer::LbMode::Tcp);
    config.health.tls = true;
    core::SeededRng lbRng(4);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    auto r = curlNegotiate((*lb)->port());
    INFO(r.output);
    CHECK(r.exitCode == 0);
    CHECK(r.output.find("alice@CONTOSO.TEST") != std::string::npos);
    CHECK(r.output.find("HTTP200") != std::string::npos);
  }
}

TEST_CASE("NTLM breaks behind layer 7 round-robin without affinity and works with affinity or in tcp mode",
          "[loadbalancer][integration]") {
  test::KdcFixture kdc;
  Pool pool(kdc);
  auto run = [&](loadbalancer::LbMode mode, loadbalancer::AffinityMode affinity) {
    auto config = pool.lbConfig(mode);
    config.affinity = affinity;
    core::SeededRng lbRng(5);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    Workstation external(kdc, "alice", "Passw0rd!", client::ClientProfile::externalPc());
    const std::string url = "http://pool.contoso.test:" + std::to_string((*lb)->port()) + "/WebTicket/x";
    std::vector<client::RequestOutcome> outcomes;
    for (int i = 0; i < 6; ++i) {
      outcomes.push_back(external.http->get(url));
    }
    return outcomes;
  };
  SECTION("http mode, round-robin, no affinity: the AUTHENTICATE lands on another node") {
    const auto before = pool.nodes[0]->stats().deniedFor("ntlm_no_challenge_on_connection") +
                        pool.nodes[1]->stats().deniedFor("ntlm_no_challenge_on_connection") +
                        pool.nodes[2]->stats().deniedFor("ntlm_no_challenge_on_connection");
    for (const auto& o : run(loadbalancer::LbMode::Http, loadbalancer::AffinityMode::None)) {
      INFO(o.reason);
      CHECK(o.kind != client::OutcomeKind::Ntlm);
      CHECK(o.status != 200);
    }
    std::uint64_t after = 0;
    for (const auto& n : pool.nodes) {
      after += n->stats().deniedFor("ntlm_no_challenge_on_connection");
    }
    CHECK(after >= before + 6);
  }
  SECTION("http mode with source affinity: every logon succeeds") {
    for (const auto& o : run(loadbalancer::LbMode::Http, loadbalancer::AffinityMode::SourceHash)) {
      INFO(o.reason);
      CHECK(o.kind == client::OutcomeKind::Ntlm);
      CHECK(o.status == 200);
    }
  }
  SECTION("tcp mode: every logon succeeds") {
    for (const auto& o : run(loadbalancer::LbMode::Tcp, loadbalancer::AffinityMode::None)) {
      INFO(o.reason);
      CHECK(o.kind == client::OutcomeKind::Ntlm);
      CHECK(o.status == 200);
    }
    // One pass-through for the connection: like IIS, the node keeps an NTLM-authenticated connection
    // authenticated, and tcp mode keeps the client's connection on that node.
    CHECK(kdc.events().count(kdc::event_id::kNtlmCredentialValidation) >= 1);
  }
}

TEST_CASE("connection models: HAProxy's private connections keep NTLM on one node, server-close breaks it",
          "[loadbalancer][integration]") {
  test::KdcFixture kdc;
  Pool pool(kdc);
  auto start = [&](loadbalancer::ConnectionModel model) {
    auto config = pool.lbConfig(loadbalancer::LbMode::Http);
    config.affinity = loadbalancer::AffinityMode::None;
    config.connectionModel = model;
    core::SeededRng lbRng(8);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    return std::move(*lb);
  };
  auto logons = [&](loadbalancer::LbServer& lb, client::ClientProfile profile) {
    Workstation ws(kdc, "alice", "Passw0rd!", profile);
    const std::string url = "http://pool.contoso.test:" + std::to_string(lb.port()) + "/WebTicket/x";
    std::vector<client::RequestOutcome> outcomes;
    for (int i = 0; i < 6; ++i) {
      outcomes.push_back(ws.http->get(url));
    }
    return outcomes;
  };
  auto noChallengeDenials = [&] {
    std::uint64_t n = 0;
    for (const auto& node : pool.nodes) {
      n += node->stats().deniedFor("ntlm_no_challenge_on_connection");
    }
    return n;
  };
  SECTION("haproxy: round-robin without affinity, and every NTLM logon succeeds") {
    auto lb = start(loadbalancer::ConnectionModel::Private);
    const auto deniedBefore = noChallengeDenials();
    for (const auto& o : logons(*lb, client::ClientProfile::externalPc())) {
      INFO(o.reason);
      CHECK(o.kind == client::OutcomeKind::Ntlm);
      CHECK(o.status == 200);
    }
    CHECK(noChallengeDenials() == deniedBefore);
    // Each NTLM CHALLENGE made its node connection private to the client connection.
    CHECK(lb->stats().totals.privateConnections >= 1);
  }
  SECTION("haproxy: Kerberos through the same model still succeeds") {
    auto lb = start(loadbalancer::ConnectionModel::Private);
    for (const auto& o : logons(*lb, client::ClientProfile::internalPc())) {
      INFO(o.reason);
      CHECK(o.kind == client::OutcomeKind::Kerberos);
      CHECK(o.status == 200);
    }
  }
  SECTION("server-close: the AUTHENTICATE reaches a new node connection and is refused") {
    auto lb = start(loadbalancer::ConnectionModel::ServerClose);
    const auto deniedBefore = noChallengeDenials();
    for (const auto& o : logons(*lb, client::ClientProfile::externalPc())) {
      INFO(o.reason);
      CHECK(o.status != 200);
    }
    CHECK(noChallengeDenials() >= deniedBefore + 6);
    CHECK(lb->stats().totals.privateConnections == 0);
  }
  SECTION("per-request: NTLM fails as before, and nothing is made private") {
    auto lb = start(loadbalancer::ConnectionModel::PerRequest);
    for (const auto& o : logons(*lb, client::ClientProfile::externalPc())) {
      INFO(o.reason);
      CHECK(o.status != 200);
    }
    CHECK(lb->stats().totals.privateConnections == 0);
  }
}

TEST_CASE("curl --ntlm through the haproxy connection model: round-robin, no affinity, HTTP 200",
          "[loadbalancer][integration][interop]") {
  test::KdcFixture kdc;
  Pool pool(kdc);
  auto config = pool.lbConfig(loadbalancer::LbMode::Http);
  config.connectionModel = loadbalancer::ConnectionModel::Private;
  core::SeededRng lbRng(9);
  auto lb = loadbalancer::LbServer::start(config, lbRng);
  REQUIRE(lb.ok());
  const std::string curl = test::requireTool("curl");
  const std::string port = std::to_string((*lb)->port());
  // Two URLs on one command line: curl does the NTLM handshake once and sends the second request on the
  // connection it authenticated, which must therefore still lead to the node that authenticated it.
  const std::string url = "http://pool.contoso.test:" + port + "/Autodiscover/x";
  auto r = test::runCommand(curl + " -sS --ntlm -u " + test::shellQuote("CONTOSO\\alice:Passw0rd!") +
                            " --resolve pool.contoso.test:" + port + ":127.0.0.1 " + url + " " + url +
                            " -w ' HTTP%{http_code}'");
  INFO(r.output);
  std::size_t ok = 0;
  for (auto at = r.output.find("HTTP200"); at != std::string::npos; at = r.output.find("HTTP200", at + 1)) {
    ++ok;
  }
  CHECK(ok == 2);
  CHECK(r.output.find("alice@CONTOSO.TEST") != std::string::npos);
  CHECK((*lb)->stats().totals.privateConnections >= 1);
}

TEST_CASE("curl --ntlm through the load balancer: TLS terminated with affinity and TLS passed through",
          "[loadbalancer][integration][interop]") {
  test::KdcFixture kdc;
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"}, core::SystemClock().now());
  REQUIRE(bundle.ok());
  auto files = bundle->writePemFiles(kdc.dir() / "tls");
  REQUIRE(files.ok());
  const std::string curl = test::requireTool("curl");
  auto curlNtlm = [&](std::uint16_t port, const std::string& password) {
    return test::runCommand(curl + " -sS --ntlm -u " + test::shellQuote("CONTOSO\\alice:" + password) +
                            " --cacert " + files->caCertificate.string() +
                            " --resolve pool.contoso.test:" + std::to_string(port) +
                            ":127.0.0.1 https://pool.contoso.test:" + std::to_string(port) +
                            "/Autodiscover/x -w ' HTTP%{http_code}'");
  };
  SECTION("http mode terminates TLS; source affinity keeps the legs on one node") {
    Pool pool(kdc);
    auto config = pool.lbConfig(loadbalancer::LbMode::Http);
    config.affinity = loadbalancer::AffinityMode::SourceHash;
    config.tls =
        loadbalancer::LbTlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()};
    core::SeededRng lbRng(6);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    auto ok = curlNtlm((*lb)->port(), "Passw0rd!");
    INFO(ok.output);
    CHECK(ok.output.find("alice@CONTOSO.TEST") != std::string::npos);
    CHECK(ok.output.find("\"mechanism\":\"ntlm\"") != std::string::npos);
    CHECK(ok.output.find("HTTP200") != std::string::npos);
    auto bad = curlNtlm((*lb)->port(), "wrong");
    INFO(bad.output);
    CHECK(bad.output.find("HTTP401") != std::string::npos);
  }
  SECTION("tcp mode passes TLS through to TLS front-ends") {
    Pool pool(kdc, net::TlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()});
    auto config = pool.lbConfig(loadbalancer::LbMode::Tcp);
    config.health.tls = true;
    core::SeededRng lbRng(7);
    auto lb = loadbalancer::LbServer::start(config, lbRng);
    REQUIRE(lb.ok());
    auto ok = curlNtlm((*lb)->port(), "Passw0rd!");
    INFO(ok.output);
    CHECK(ok.output.find("alice@CONTOSO.TEST") != std::string::npos);
    CHECK(ok.output.find("HTTP200") != std::string::npos);
  }
}
