// Three front-ends of one pool behind the name pool.contoso.test, in this process on 127.0.0.1 (port 0),
// with tickets from kerbpool's KDC (kdc_fixture) obtained by kerbpool's own client.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "client/kdc_network.hpp"
#include "client/kerberos_client.hpp"
#include "core/common/base64.hpp"
#include "core/crypto/crypto_rng.hpp"
#include "net/http_server.hpp"
#include "frontend/node.hpp"
#include "scenarios/directory_key_source.hpp"
#include "tests/frontend/frontend_test_support.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kdc_fixture.hpp"

using namespace kerbpool;
using frontend::FrontendNode;
using net::HttpServer;

namespace {

// contoso.realm.json without the site's Kerberos account assignment: POOLKERB$ (holder of
// HTTP/pool.contoso.test) has its keys, but no front-end has been given them yet.
std::string realmWithoutKeyDistribution() {
  std::ifstream in(test::sourceDir() / "examples" / "contoso.realm.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string json = ss.str();
  const std::string assigned = R"({ "name": "Site1", "kerberos_account": "POOLKERB$" })";
  const auto at = json.find(assigned);
  REQUIRE(at != std::string::npos);
  json.replace(at, assigned.size(), R"({ "name": "Site1" })");
  return json;
}

test::KdcFixtureOptions poolRealm() {
  test::KdcFixtureOptions o;
  o.realmJson = realmWithoutKeyDistribution();
  return o;
}

// A node with its keys from the directory, served on its own port.
struct RunningNode {
  RunningNode(const std::string& name, const std::string& computer, kdc::Directory& directory,
              const core::Clock& clock, core::Rng& rng) {
    auto creds = scenarios::nodeCredentialsFromDirectory(directory, computer);
    INFO((creds.ok() ? std::string() : creds.error().message()));
    REQUIRE(creds.ok());
    frontend::FrontendNodeConfig config;
    config.name = name;
    node = std::make_unique<FrontendNode>(config, std::move(*creds), clock, rng);
    auto s = HttpServer::start(frontend::serverConfigFor(config), *node);
    INFO((s.ok() ? std::string() : s.error().message()));
    REQUIRE(s.ok());
    server = std::move(*s);
  }
  std::optional<test::HttpTestResponse> get(const std::string& authorization,
                                            const std::string& target = "/WebTicket/WebTicketService.svc") {
    test::HttpTestClient c(server->port());
    return c.get(target, {{"Authorization", authorization}});
  }

  std::unique_ptr<FrontendNode> node;
  std::unique_ptr<HttpServer> server;
};

// alice logged on with kerbpool's client against the fixture's KDC.
struct Alice {
  explicit Alice(test::KdcFixture& kdc, const core::Clock& clock)
      : network(client::KdcNetworkOptions{{client::KdcAddress{"127.0.0.1", kdc.port()}}}),
        client(network, clock, rng, client::KerberosClientConfig{"CONTOSO.TEST", {}, {}, {}}) {
    auto tgt = client.getTgt("alice", "Passw0rd!");
    INFO((tgt.ok() ? std::string() : tgt.error().message()));
    REQUIRE(tgt.ok());
  }
  // A fresh token (new authenticator) for the pool name.
  std::string header() {
    auto t = client.initiateContext("HTTP/pool.contoso.test");
    INFO((t.ok() ? std::string() : t.error().message()));
    REQUIRE(t.ok());
    return "Negotiate " + core::base64Encode(t->token);
  }
  client::Credential ticket() {
    auto c = client.getServiceTicket("HTTP/pool.contoso.test");
    REQUIRE(c.ok());
    return *c;
  }

  core::crypto::CryptoRng rng;
  client::KdcNetwork network;
  client::KerberosClient client;
};

}  // namespace

TEST_CASE("pool: only fe01 holds the pool key, then all three do", "[frontend][integration]") {
  test::KdcFixture kdc(poolRealm());
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  auto& dir = kdc.directory();
  REQUIRE(dir.deliverKeys("POOLKERB$", "FE01$").ok());
  RunningNode fe01("fe01", "FE01$", dir, clock, rng);
  RunningNode fe02("fe02", "FE02$", dir, clock, rng);
  RunningNode fe03("fe03", "FE03$", dir, clock, rng);
  Alice alice(kdc, clock);

  // The same ticket (fresh authenticators: each node has its own replay cache) to each node.
  auto r1 = fe01.get(alice.header());
  REQUIRE(r1.has_value());
  CHECK(r1->status == 200);
  test::checkContainsAll(r1->body,
                         {"\"node\":\"fe01\"", "\"user\":\"alice@CONTOSO.TEST\"", "\"Pool Users\""});
  CHECK(r1->header("X-Kerbpool-Node") == "fe01");
  for (RunningNode* n : {&fe02, &fe03}) {
    auto r = n->get(alice.header());
    REQUIRE(r.has_value());
    CHECK(r->status == 401);
    CHECK(r->body == "401 Unauthorized: no_key_for_spn\n");
    CHECK(n->node->stats().deniedFor("no_key_for_spn") == 1);
    CHECK(n->node->stats().allowed == 0);
  }
  CHECK(fe01.node->stats().allowed == 1);

  // Set-CsKerberosAccountPassword reaches the whole site; the nodes pick the keys up.
  REQUIRE(dir.assignKerberosAccount("Site1", "POOLKERB$").ok());
  REQUIRE(dir.deliverKeysToSite("Site1").ok());
  for (RunningNode* n : {&fe01, &fe02, &fe03}) {
    REQUIRE(n->node->credentials().reload().ok());
    auto r = n->get(alice.header());
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK_THAT(r->body, Catch::Contains("\"node\":\"" + n->node->name() + "\""));
  }
  CHECK(fe02.node->stats().allowed == 1);
  CHECK(fe03.node->stats().allowed == 1);
}

TEST_CASE("pool: a password roll keeps old tickets working on nodes that reloaded",
          "[frontend][integration]") {
  test::KdcFixture kdc;  // the site's Kerberos account is delivered to FE01$..FE03$ at load
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  auto& dir = kdc.directory();
  RunningNode fe01("fe01", "FE01$", dir, clock, rng);
  RunningNode fe02("fe02", "FE02$", dir, clock, rng);
  Alice before(kdc, clock);
  const client::Credential oldTicket = before.ticket();  // kvno 1

  REQUIRE(dir.setPassword("POOLKERB$", "pool-shared-password-lab-only-2").ok());
  REQUIRE(dir.deliverKeysToSite("Site1").ok());
  REQUIRE(fe01.node->credentials().reload().ok());  // fe02 has not picked the roll up
  Alice after(kdc, clock);                          // a ticket of kvno 2

  auto fresh = [&](const client::Credential& c) { return test::negotiateFor(c, clock, rng).header; };
  CHECK(fe01.get(fresh(oldTicket))->status == 200);
  CHECK(fe01.get(after.header())->status == 200);
  CHECK(fe02.get(fresh(oldTicket))->status == 200);
  auto r = fe02.get(after.header());
  CHECK(r->status == 401);
  CHECK(r->body == "401 Unauthorized: no_key_for_kvno\n");
  REQUIRE(fe02.node->credentials().reload().ok());
  CHECK(fe02.get(after.header())->status == 200);
}

TEST_CASE("pool: bad requests are refused with their reason and the node keeps serving",
          "[frontend][integration]") {
  test::KdcFixture kdc;
  core::SystemClock systemClock;
  // The node's clock; the client follows it so that only the ticket's lifetime decides.
  core::ManualClock clock(systemClock.now());
  core::crypto::CryptoRng rng;
  RunningNode fe01("fe01", "FE01$", kdc.directory(), clock, rng);
  Alice alice(kdc, clock);
  auto nextGood = [&] {
    auto r = fe01.get(alice.header());
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
  };

  SECTION("replayed Authorization header") {
    const std::string h = alice.header();
    CHECK(fe01.get(h)->status == 200);
    auto r = fe01.get(h);
    CHECK(r->status == 401);
    CHECK(r->body == "401 Unauthorized: replay\n");
    CHECK(fe01.node->stats().deniedFor("replay") == 1);
  }
  SECTION("tampered ticket") {
    auto cred = alice.ticket();
    cred.ticket.encPart.cipher[cred.ticket.encPart.cipher.size() / 2] ^= 0x40;
    cred.ticketBytes = core::messages::encode(cred.ticket);
    auto r = fe01.get(test::negotiateFor(cred, clock, rng).header);
    CHECK(r->status == 401);
    CHECK(r->body == "401 Unauthorized: bad_integrity\n");
  }
  SECTION("expired ticket") {
    auto cred = alice.ticket();
    clock.advance(std::chrono::hours(11));  // past the 10-hour ticket
    auto r = fe01.get(test::negotiateFor(cred, clock, rng).header);
    CHECK(r->status == 401);
    CHECK(r->body == "401 Unauthorized: ticket_expired\n");
    CHECK(fe01.node->stats().deniedFor("ticket_expired") == 1);
    clock.advance(-std::chrono::hours(11));
  }
  SECTION("garbage base64") {
    auto r = fe01.get("Negotiate %%%garbage%%%");
    CHECK(r->status == 401);
    CHECK(r->body == "401 Unauthorized: malformed_token\n");
  }
  SECTION("a 64 KiB header is answered 431 by the server") {
    auto r = fe01.get("Negotiate " + std::string(64 * 1024, 'A'));
    REQUIRE(r.has_value());
    CHECK(r->status == 431);
    CHECK(fe01.server->stats().headerTooLarge == 1);
  }
  nextGood();
}

TEST_CASE("pool: per-connection persistence over one keep-alive connection", "[frontend][integration]") {
  test::KdcFixture kdc;
  core::SystemClock clock;
  core::crypto::CryptoRng rng;
  auto creds = scenarios::nodeCredentialsFromDirectory(kdc.directory(), "FE01$");
  REQUIRE(creds.ok());
  frontend::FrontendNodeConfig config;
  config.name = "fe01";
  config.auth.persistence = frontend::Persistence::PerConnection;
  FrontendNode node(config, std::move(*creds), clock, rng);
  auto server = HttpServer::start(frontend::serverConfigFor(config), node);
  REQUIRE(server.ok());
  Alice alice(kdc, clock);

  test::HttpTestClient c((*server)->port());
  CHECK(c.get("/ABS/Handler")->status == 401);
  CHECK(c.get("/ABS/Handler", {{"Authorization", alice.header()}})->status == 200);
  auto again = c.get("/Autodiscover/AutodiscoverService.svc/root");
  REQUIRE(again.has_value());
  CHECK(again->status == 200);
  CHECK_THAT(again->body, Catch::Contains("\"persisted\":true"));
  test::HttpTestClient other((*server)->port());
  CHECK(other.get("/ABS/Handler")->status == 401);
  CHECK(node.stats().allowedByConnection == 1);
}
