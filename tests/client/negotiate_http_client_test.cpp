// The workstation end to end on 127.0.0.1: kerbpool's KDC (KdcFixture, reached through KdcNetwork), an
// HttpServer whose handler authenticates with core/acceptor and core/ntlm, and the Negotiate client with the
// classic profiles: Kerberos with the right SPN, NTLM fallback when the SPN is wrong or missing or no KDC is
// reachable, the prompt when a ticket is refused, and mutual authentication.
#include "client/negotiate_http_client.hpp"

#include <catch2/catch.hpp>

#include "client/kdc_error.hpp"
#include "client/kdc_network.hpp"
#include "core/crypto/x509.hpp"
#include "net/http_server.hpp"
#include "tests/client/negotiate_test_node.hpp"
#include "tests/support/kdc_fixture.hpp"
#include "tests/support/socket_client.hpp"

using namespace kerbpool;
using client::ClientProfile;
using client::NegotiateHttpClient;
using client::OutcomeKind;
using client::RequestOutcome;
using namespace std::chrono_literals;

namespace {

client::KdcNetworkOptions kdcAt(std::uint16_t port) {
  client::KdcNetworkOptions o;
  o.kdcs = {client::KdcAddress{"127.0.0.1", port}};
  o.udpTimeout = 200ms;
  o.udpAttempts = 1;
  o.tcpTimeout = 500ms;
  return o;
}

client::KerberosClientConfig contosoClient() {
  client::KerberosClientConfig c;
  c.realm = "CONTOSO.TEST";
  return c;
}

// The realm of examples/contoso.realm.json, a front-end "fe01" holding FE01$'s keys (and the site's shared
// POOLKERB$ key for HTTP/pool.contoso.test), DNS with an A record for the pool name.
struct Lab {
  explicit Lab(std::optional<net::TlsFiles> tls = std::nullopt, std::uint16_t kdcPort = 0)
      : network(kdcAt(kdcPort != 0 ? kdcPort : kdc.port())),
        kerberos(network, clock, kerberosRng, contosoClient()) {
    node.useKeysOf(kdc.directory(), "FE01$");
    node.addNtlmUser("alice", "Passw0rd!");
    net::HttpServerConfig config;
    config.tls = std::move(tls);
    auto started = net::HttpServer::start(config, node);
    if (!started.ok()) {
      FAIL(started.error().message());
    }
    server = std::move(started).value();
    REQUIRE(dns.addA("pool.contoso.test", "127.0.0.1").ok());
    REQUIRE(dns.addA("lb01.contoso.test", "127.0.0.1").ok());
  }
  ~Lab() { server->stop(); }

  std::string url(const std::string& path = "/") const {
    return std::string(server->tls() ? "https" : "http") +
           "://pool.contoso.test:" + std::to_string(server->port()) + path;
  }
  std::unique_ptr<NegotiateHttpClient> workstation(ClientProfile profile, std::string password = "Passw0rd!",
                                                   client::NegotiateHttpOptions options = {}) {
    return std::make_unique<NegotiateHttpClient>(
        std::move(profile), client::WorkstationUser{"alice", "CONTOSO", std::move(password), "WS01"}, dns,
        http, &kerberos, clock, rng, std::move(options));
  }

  test::KdcFixture kdc;
  core::SystemClock clock;
  core::SeededRng kerberosRng{11};
  core::SeededRng rng{12};
  client::DnsZone dns;
  test::NegotiateTestNode node{"fe01"};
  std::unique_ptr<net::HttpServer> server;
  client::HttpClientRuntime http;
  client::KdcNetwork network;
  client::KerberosClient kerberos;
};

std::string describe(const RequestOutcome& o) {
  return std::string(client::toString(o.kind)) + " " + std::to_string(o.status) + " node=" + o.node +
         " legs=" + std::to_string(o.legs) + " spn=" + o.spn + " reason=" + o.reason;
}

bool startsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

void requireOneConnection(const std::vector<test::NodeLeg>& legs) {
  REQUIRE_FALSE(legs.empty());
  for (const auto& leg : legs) {
    CHECK(leg.connection == legs.front().connection);
  }
}

}  // namespace

TEST_CASE("negotiate client: Kerberos with the pool SPN and mutual authentication",
          "[client][negotiate][integration]") {
  Lab lab;
  auto alice = lab.workstation(ClientProfile::internalPc());
  const RequestOutcome o = alice->get(lab.url("/app"));
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Kerberos);
  CHECK(o.status == 200);
  CHECK(o.node == "fe01");
  CHECK(o.user == "alice@CONTOSO.TEST");
  CHECK(o.serverMechanism == "kerberos");
  CHECK(o.spn == "HTTP/pool.contoso.test");
  CHECK(o.legs == 2);
  CHECK(o.reason == "Kerberos ticket for HTTP/pool.contoso.test accepted; mutual authentication verified");
  CHECK_FALSE(o.error.has_value());
  CHECK(o.latency > 0ns);
  auto legs = lab.node.legs();
  REQUIRE(legs.size() == 2);
  CHECK(legs[0].authorization.empty());
  CHECK(startsWith(legs[1].authorization, "Negotiate YI"));  // a framed SPNEGO NegTokenInit
  requireOneConnection(legs);

  // The server keeps the connection authenticated: the next request needs no token.
  const RequestOutcome again = alice->get(lab.url("/next"));
  INFO(describe(again));
  CHECK(again.kind == OutcomeKind::Kerberos);
  CHECK(again.legs == 1);
  CHECK(again.reason == "the connection is already authenticated (kerberos)");
  CHECK(again.connectionSerial == o.connectionSerial);

  // A new connection authenticates again, with the cached ticket (no new TGS exchange).
  alice->closeConnections();
  CHECK(alice->openConnections() == 0);
  const RequestOutcome third = alice->get(lab.url("/third"));
  CHECK(third.kind == OutcomeKind::Kerberos);
  CHECK(third.legs == 2);
  CHECK(lab.kerberos.stats().asExchanges == 1);
  CHECK(lab.kerberos.stats().tgsExchanges == 1);
  CHECK(lab.http.stats().connections == 2);

  // Both node sources are read: the header wins, a disagreement is noted.
  lab.node.setBodyNode("fe09");
  const RequestOutcome mixed = alice->get(lab.url("/fourth"));
  CHECK(mixed.node == "fe01");
  CHECK(mixed.reason ==
        "the connection is already authenticated (kerberos); node header fe01 differs from body node fe09");
}

TEST_CASE("negotiate client: a CNAME to the load balancer asks for the wrong SPN and falls back to NTLM",
          "[client][negotiate][integration]") {
  Lab lab;
  REQUIRE(lab.dns.addCname("pool.contoso.test", "lb01.contoso.test").ok());
  auto alice = lab.workstation(ClientProfile::internalPc());
  const RequestOutcome o = alice->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Ntlm);
  CHECK(o.status == 200);
  CHECK(o.spn == "HTTP/lb01.contoso.test");
  CHECK(o.reason ==
        "KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/lb01.contoso.test (the canonical name of pool.contoso.test): "
        "fell back to NTLM");
  REQUIRE(o.error.has_value());
  CHECK(client::krbErrorCode(*o.error) == core::iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN);
  CHECK(o.user == "CONTOSO\\alice");
  CHECK(o.serverMechanism == "ntlm");
  CHECK(o.node == "fe01");
  CHECK(o.legs == 3);
  auto legs = lab.node.legs();
  REQUIRE(legs.size() == 3);
  requireOneConnection(legs);  // NEGOTIATE, CHALLENGE and AUTHENTICATE on one connection
  CHECK(startsWith(legs[1].authorization, "Negotiate Y"));   // SPNEGO NegTokenInit {NTLMSSP}
  CHECK(startsWith(legs[2].authorization, "Negotiate oY"));  // NegTokenResp with the AUTHENTICATE
  CHECK(lab.node.clientMicsVerified() == 1);

  SECTION("without CNAME canonicalization the URL's name gets its ticket") {
    auto profile = ClientProfile::internalPc();
    profile.canonicalizeCname = false;
    auto typed = lab.workstation(profile)->get(lab.url());
    INFO(describe(typed));
    CHECK(typed.kind == OutcomeKind::Kerberos);
    CHECK(typed.spn == "HTTP/pool.contoso.test");
  }
}

TEST_CASE("negotiate client: the SPN missing from the directory means NTLM for every request",
          "[client][negotiate][integration]") {
  Lab lab;
  REQUIRE(lab.kdc.directory().deleteSpn("POOLKERB$", "HTTP/pool.contoso.test").ok());
  auto alice = lab.workstation(ClientProfile::internalPc());
  const RequestOutcome o = alice->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Ntlm);
  CHECK(o.reason == "KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test: fell back to NTLM");
  requireOneConnection(lab.node.legs());

  // The authenticated connection carries on; a new one costs the KDC a TGS-REQ and the DC an NTLM check
  // again.
  CHECK(alice->get(lab.url()).reason == "the connection is already authenticated (ntlm)");
  alice->closeConnections();
  CHECK(alice->get(lab.url()).kind == OutcomeKind::Ntlm);
  CHECK(lab.kerberos.stats().kdcErrors == 2);

  SECTION("a profile that may not use NTLM fails") {
    auto profile = ClientProfile::internalPc();
    profile.ntlmAllowed = false;
    const RequestOutcome blocked = lab.workstation(profile)->get(lab.url());
    CHECK(blocked.kind == OutcomeKind::Failed);
    CHECK(blocked.status == 401);
    CHECK(blocked.reason ==
          "KDC_ERR_S_PRINCIPAL_UNKNOWN for HTTP/pool.contoso.test; profile InternalPc does not allow NTLM");
  }
}

TEST_CASE("negotiate client: a refused ticket ends in a credential prompt",
          "[client][negotiate][integration]") {
  Lab lab;
  // The node holds the wrong key for HTTP/pool.contoso.test: bob's, under the name and kvno of the pool's.
  auto pool = lab.kdc.directory().resolveService({"HTTP", "pool.contoso.test"}, {18});
  auto bob = lab.kdc.directory().lookupClient({"bob"}, {18});
  REQUIRE(pool.ok());
  REQUIRE(bob.ok());
  core::acceptor::AcceptorKeys wrong;
  wrong.add(core::acceptor::AcceptorKey{{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", pool->kvno, bob->key});
  lab.node.useKeys(wrong);

  const RequestOutcome o = lab.workstation(ClientProfile::internalPc())->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Prompt);
  CHECK(o.status == 401);
  CHECK(o.node == "fe01");
  CHECK(o.reason ==
        "the server refused the Kerberos ticket for HTTP/pool.contoso.test: KRB_AP_ERR_BAD_INTEGRITY: "
        "credential "
        "prompt");
  REQUIRE(o.error.has_value());
  CHECK(client::krbErrorCode(*o.error) == core::iana::ErrorCode::KRB_AP_ERR_BAD_INTEGRITY);
  CHECK(lab.node.refusals() == std::vector<std::string>{"bad_integrity"});
  CHECK(o.legs == 2);  // no NTLM after a refused ticket

  SECTION("a non-interactive client fails instead") {
    auto profile = ClientProfile::internalPc();
    profile.promptOnKerberosFailure = false;
    const RequestOutcome quiet = lab.workstation(profile)->get(lab.url());
    CHECK(quiet.kind == OutcomeKind::Failed);
    CHECK(quiet.reason.find("no prompt (profile InternalPc)") != std::string::npos);
  }
}

TEST_CASE("negotiate client: a wrong AP-REP fails mutual authentication",
          "[client][negotiate][integration]") {
  Lab lab;
  lab.node.tamperApRep = true;
  const RequestOutcome o = lab.workstation(ClientProfile::internalPc())->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Failed);
  CHECK(o.status == 200);
  CHECK(startsWith(o.reason, "mutual authentication failed: "));
  REQUIRE(o.error.has_value());

  SECTION("no AP-REP at all") {
    lab.node.tamperApRep = false;
    lab.node.omitApRep = true;
    const RequestOutcome lenient = lab.workstation(ClientProfile::internalPc())->get(lab.url());
    INFO(describe(lenient));
    CHECK(lenient.kind == OutcomeKind::Kerberos);
    CHECK(lenient.reason ==
          "Kerberos ticket for HTTP/pool.contoso.test accepted; no mutual-authentication token");
    client::NegotiateHttpOptions strict;
    strict.requireMutualAuth = true;
    const RequestOutcome refused =
        lab.workstation(ClientProfile::internalPc(), "Passw0rd!", strict)->get(lab.url());
    CHECK(refused.kind == OutcomeKind::Failed);
    CHECK(refused.reason == "mutual authentication failed: the response carries no AP-REP");
  }
}

TEST_CASE("negotiate client: external PCs and phones use NTLM", "[client][negotiate][integration]") {
  Lab lab;
  const RequestOutcome external = lab.workstation(ClientProfile::externalPc())->get(lab.url());
  INFO(describe(external));
  CHECK(external.kind == OutcomeKind::Ntlm);
  CHECK(external.reason ==
        "no KDC reachable for HTTP/pool.contoso.test (profile ExternalPc reaches no KDC): fell back to NTLM");
  CHECK(lab.kerberos.stats().asExchanges == 0);
  auto legs = lab.node.legs();
  REQUIRE(legs.size() == 3);
  CHECK(startsWith(legs[1].authorization, "Negotiate "));

  const RequestOutcome phone = lab.workstation(ClientProfile::mobile())->get(lab.url());
  INFO(describe(phone));
  CHECK(phone.kind == OutcomeKind::Ntlm);
  CHECK(phone.reason == "profile Mobile does not use Kerberos: NTLM");
  legs = lab.node.legs();
  REQUIRE(legs.size() == 6);
  CHECK(startsWith(legs[4].authorization, "NTLM TlRMTVNTUAAB"));  // raw NEGOTIATE
  CHECK(startsWith(legs[5].authorization, "NTLM TlRMTVNTUAAD"));  // raw AUTHENTICATE
  CHECK(legs[4].connection == legs[5].connection);

  const RequestOutcome typo = lab.workstation(ClientProfile::externalPc(), "wrong")->get(lab.url());
  CHECK(typo.kind == OutcomeKind::Prompt);
  CHECK(typo.reason.find("refused the NTLM credentials of CONTOSO\\alice") != std::string::npos);
  CHECK(lab.node.refusals() == std::vector<std::string>{"ntlmv2_proof_mismatch"});

  lab.node.ntlmEnabled = false;
  const RequestOutcome negotiateOnly = lab.workstation(ClientProfile::mobile())->get(lab.url());
  CHECK(negotiateOnly.kind == OutcomeKind::Failed);
  CHECK(
      negotiateOnly.reason ==
      "profile Mobile does not use Kerberos; the server offers Negotiate and profile Mobile speaks NTLM only "
      "with the NTLM scheme");
}

TEST_CASE("negotiate client: an unreachable KDC falls back to NTLM", "[client][negotiate][integration]") {
  Lab lab(std::nullopt, test::freeLoopbackPort());
  const RequestOutcome o = lab.workstation(ClientProfile::internalPc())->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Ntlm);
  CHECK(startsWith(o.reason, "no KDC reachable for HTTP/pool.contoso.test ("));
  REQUIRE(o.error.has_value());
  CHECK(o.error->code == "kdc_unreachable");
}

TEST_CASE("negotiate client: connections per request and anonymous pages",
          "[client][negotiate][integration]") {
  Lab lab;
  auto profile = ClientProfile::internalPc();
  profile.persistentConnection = false;
  auto alice = lab.workstation(profile);
  const RequestOutcome first = alice->get(lab.url());
  const RequestOutcome second = alice->get(lab.url());
  CHECK(first.kind == OutcomeKind::Kerberos);
  CHECK(second.kind == OutcomeKind::Kerberos);
  CHECK(second.legs == 2);
  CHECK(alice->openConnections() == 0);
  CHECK(lab.http.stats().connections == 2);
  CHECK(lab.kerberos.stats().tgsExchanges == 1);

  const RequestOutcome open = alice->get(lab.url("/public"));
  CHECK(open.kind == OutcomeKind::Anonymous);
  CHECK(open.node == "fe01");
  CHECK(open.legs == 1);

  const RequestOutcome badUrl = alice->get("ftp://pool.contoso.test/");
  CHECK(badUrl.kind == OutcomeKind::Failed);
  CHECK(badUrl.error->code == "bad_scheme");
  const RequestOutcome noName = alice->get("http://nowhere.contoso.test/");
  CHECK(noName.kind == OutcomeKind::Failed);
  CHECK(noName.reason == "DNS: not_found/nxdomain: no record for nowhere.contoso.test");
  CHECK(noName.spn.empty());
  const RequestOutcome down =
      alice->get("http://pool.contoso.test:" + std::to_string(test::freeLoopbackPort()));
  CHECK(down.kind == OutcomeKind::Failed);
  CHECK(down.error->code == "connect_failed");
}

TEST_CASE("negotiate client: Kerberos over TLS to the pool name", "[client][negotiate][integration]") {
  auto bundle = core::crypto::generateTlsBundle({"pool.contoso.test"},
                                                core::SystemClock().now() - std::chrono::hours(1));
  REQUIRE(bundle.ok());
  test::TempDir dir;
  auto files = bundle->writePemFiles(dir.path());
  REQUIRE(files.ok());
  Lab lab(net::TlsFiles{files->serverCertificate.string(), files->serverPrivateKey.string()});
  client::NegotiateHttpOptions options;
  options.caFile = files->caCertificate.string();
  // The certificate is for the pool name; the CNAME target only changes the SPN.
  REQUIRE(lab.dns.addCname("pool.contoso.test", "lb01.contoso.test").ok());
  auto profile = ClientProfile::internalPc();
  profile.canonicalizeCname = false;
  const RequestOutcome o = lab.workstation(profile, "Passw0rd!", options)->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Kerberos);
  CHECK(o.url.rfind("https://", 0) == 0);
  CHECK(lab.http.stats().tlsHandshakes == 1);
}
