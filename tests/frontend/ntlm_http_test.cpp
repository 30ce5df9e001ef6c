// NTLM over real HTTP connections on 127.0.0.1: kerbpool's workstation client (NTLM scheme and NTLMSSP in
// Negotiate) against FrontendNodes behind HttpServers, their NTLM module passing through to the DC in this
// process; the handshake's legs split over connections and nodes; garbage that leaves the server serving.
#include <catch2/catch.hpp>

#include "client/negotiate_http_client.hpp"
#include "frontend/request_handler.hpp"
#include "net/http_server.hpp"
#include "tests/frontend/frontend_test_support.hpp"
#include "tests/frontend/ntlm_test_support.hpp"
#include "tests/support/http_client.hpp"

using namespace kerbpool;
using client::ClientProfile;
using client::OutcomeKind;
using client::RequestOutcome;

namespace {

namespace codes = frontend::ntlm_codes;

struct HttpNtlmLab {
  HttpNtlmLab() {
    for (const std::string name : {"fe01", "fe02"}) {
      auto& n = lab.addNode(name);
      auto started = net::HttpServer::start(net::HttpServerConfig{}, *n.node);
      if (!started.ok()) {
        FAIL(started.error().message());
      }
      servers[name] = std::move(started).value();
    }
    REQUIRE(dns.addA("pool.contoso.test", "127.0.0.1").ok());
  }
  ~HttpNtlmLab() {
    for (auto& [name, server] : servers) {
      server->stop();
    }
  }

  std::uint16_t port(const std::string& node) { return servers.at(node)->port(); }
  std::string url(const std::string& node = "fe01") {
    return "http://pool.contoso.test:" + std::to_string(port(node)) + test::kWebTicketPath;
  }
  std::unique_ptr<client::NegotiateHttpClient> workstation(ClientProfile profile,
                                                           std::string password = "Passw0rd!") {
    return std::make_unique<client::NegotiateHttpClient>(
        std::move(profile), client::WorkstationUser{"alice", "CONTOSO", std::move(password), "WS01"}, dns,
        http, nullptr, lab.pool.clock, rng);
  }
  frontend::FrontendNode& node(const std::string& name) { return *lab.nodes.at(name).node; }
  frontend::NtlmPassThroughHandler& ntlm(const std::string& name) { return *lab.nodes.at(name).ntlm; }

  test::NtlmLab lab;
  std::map<std::string, std::unique_ptr<net::HttpServer>> servers;
  client::DnsZone dns;
  client::HttpClientRuntime http;
  core::SeededRng rng{77};
};

std::string describe(const RequestOutcome& o) {
  return std::string(client::toString(o.kind)) + " " + std::to_string(o.status) + " node=" + o.node +
         " user=" + o.user + " legs=" + std::to_string(o.legs) + " reason=" + o.reason;
}

// The NTLM token of a `WWW-Authenticate: NTLM <b64>` field.
core::Bytes ntlmChallengeOf(const test::HttpTestResponse& r) {
  for (const auto& v : r.headerValues("WWW-Authenticate")) {
    if (v.rfind("NTLM ", 0) == 0) {
      auto bytes = core::base64Decode(v.substr(5));
      REQUIRE(bytes.ok());
      return *bytes;
    }
  }
  FAIL("no NTLM challenge token");
  return {};
}

}  // namespace

TEST_CASE("ntlm http: the NTLM scheme (a phone) gets 200 naming alice, and the connection stays hers",
          "[frontend][ntlm][integration]") {
  HttpNtlmLab lab;
  auto phone = lab.workstation(ClientProfile::mobile());
  const RequestOutcome o = phone->get(lab.url());
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Ntlm);
  CHECK(o.status == 200);
  CHECK(o.user == "alice@CONTOSO.TEST");
  CHECK(o.serverMechanism == "ntlm");
  CHECK(o.node == "fe01");
  CHECK(o.legs == 3);
  CHECK(lab.lab.pool.events.count(4776) == 1);

  const RequestOutcome again = phone->get(lab.url());
  INFO(describe(again));
  CHECK(again.status == 200);
  CHECK(again.legs == 1);
  CHECK(again.user == "alice@CONTOSO.TEST");
  CHECK(lab.lab.pool.events.count(4776) == 1);
  CHECK(lab.node("fe01").stats().allowedByConnection == 1);
}

TEST_CASE("ntlm http: NTLMSSP inside Negotiate (the workstation's fallback without a ticket) gets 200",
          "[frontend][ntlm][integration]") {
  HttpNtlmLab lab;
  const RequestOutcome o = lab.workstation(ClientProfile::externalPc())->get(lab.url("fe02"));
  INFO(describe(o));
  CHECK(o.kind == OutcomeKind::Ntlm);
  CHECK(o.status == 200);
  CHECK(o.user == "alice@CONTOSO.TEST");
  CHECK(o.serverMechanism == "ntlm");
  CHECK(o.node == "fe02");
  CHECK(lab.ntlm("fe02").stats().authenticated == 1);
  CHECK(lab.lab.pool.events.count(4776) == 1);
}

TEST_CASE("ntlm http: a wrong password is a 401 ntlm_logon_failure", "[frontend][ntlm][integration]") {
  HttpNtlmLab lab;
  const RequestOutcome o = lab.workstation(ClientProfile::mobile(), "Wrong-password1")->get(lab.url());
  INFO(describe(o));
  CHECK(o.status == 401);
  CHECK(o.kind != OutcomeKind::Ntlm);
  CHECK(lab.node("fe01").stats().deniedFor(std::string(codes::kLogonFailure)) == 1);
  CHECK(lab.ntlm("fe01").stats().outcome("STATUS_WRONG_PASSWORD") == 1);
}

TEST_CASE("ntlm http: the handshake's legs on two connections or two nodes fail",
          "[frontend][ntlm][integration]") {
  HttpNtlmLab lab;
  auto client = lab.lab.client();
  auto negotiate = client.negotiate();
  REQUIRE(negotiate.ok());
  test::HttpTestClient first(lab.port("fe01"));
  auto r1 = first.get(test::kWebTicketPath, {{"Authorization", test::ntlmHeader(*negotiate)}});
  REQUIRE(r1);
  REQUIRE(r1->status == 401);
  auto auth = client.authenticate(ntlmChallengeOf(*r1));
  REQUIRE(auth.ok());
  const std::pair<std::string, std::string> authenticate{"Authorization", test::ntlmHeader(auth->message)};

  SECTION("another connection to the same node") {
    test::HttpTestClient second(lab.port("fe01"));
    auto r = second.get(test::kWebTicketPath, {authenticate});
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->body.find("ntlm_no_challenge_on_connection") != std::string::npos);
    // The first connection still holds its CHALLENGE.
    auto ok = first.get(test::kWebTicketPath, {authenticate});
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->body.find(R"("user":"alice@CONTOSO.TEST")") != std::string::npos);
  }
  SECTION("another node") {
    test::HttpTestClient other(lab.port("fe02"));
    auto r = other.get(test::kWebTicketPath, {authenticate});
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->body.find("ntlm_no_challenge_on_connection") != std::string::npos);
    CHECK(lab.node("fe02").stats().deniedFor(std::string(codes::kNoChallengeOnConnection)) == 1);
    CHECK(lab.lab.pool.events.count(4776) == 0);
  }
}

TEST_CASE("ntlm http: malformed NTLM tokens get 401 with a reason and the server keeps serving",
          "[frontend][ntlm][integration][negative]") {
  HttpNtlmLab lab;
  test::HttpTestClient conn(lab.port("fe01"));
  const std::vector<std::pair<std::string, std::string>> garbage{
      {"NTLM TlRMTVNTUAABAAAA", "ntlm_malformed_message"},              // NTLMSSP\0 + type 1, cut
      {"NTLM TlRMTVNTUAADAAAA", "ntlm_no_challenge_on_connection"},     // an AUTHENTICATE with no CHALLENGE
      {"NTLM AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ntlm_malformed_message"},  // no signature
      {"NTLM TlRMTVNTUAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ntlm_unexpected_message"},
      {"NTLM !!!", "malformed_token"},
  };
  for (const auto& [value, code] : garbage) {
    auto r = conn.get(test::kWebTicketPath, {{"Authorization", value}});
    REQUIRE(r);
    INFO(value << " -> " << r->body);
    CHECK(r->status == 401);
    CHECK(r->body.find(code) != std::string::npos);
  }
  const RequestOutcome o = lab.workstation(ClientProfile::mobile())->get(lab.url());
  INFO(describe(o));
  CHECK(o.status == 200);
  CHECK(lab.node("fe01").stats().denied == garbage.size());
}

TEST_CASE("ntlm http: requests that may wait for the DC are told apart from the header alone",
          "[frontend][ntlm]") {
  test::NtlmLab lab;
  auto& withNtlm = *lab.addNode("fe01").node;
  auto request = [](std::optional<std::string> authorization) {
    net::HttpRequest r;
    r.target = test::kWebTicketPath;
    if (authorization) {
      r.headers.emplace_back("Authorization", *authorization);
    }
    return r;
  };
  CHECK_FALSE(withNtlm.mayBlock(request(std::nullopt)));
  // A GSS initial token (0x60: Kerberos AP-REQ or SPNEGO init) never reaches the DC.
  CHECK_FALSE(withNtlm.mayBlock(request("Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag")));
  CHECK_FALSE(withNtlm.mayBlock(request("negotiate YII=")));
  // A negTokenResp (0xa1), raw NTLMSSP under Negotiate and the NTLM scheme may carry an AUTHENTICATE.
  CHECK(withNtlm.mayBlock(request("Negotiate oYIBszCCAa+gAwoBAaKCAZgEggGU")));
  CHECK(withNtlm.mayBlock(request("Negotiate TlRMTVNTUAADAAAAGAAYAEgAAAA=")));
  CHECK(withNtlm.mayBlock(request("NTLM TlRMTVNTUAADAAAAGAAYAEgAAAA=")));
  CHECK(withNtlm.mayBlock(request("Negotiate ")));

  frontend::FrontendNodeConfig config;
  config.name = "fe09";
  frontend::FrontendNode kerberosOnly(
      config, frontend::NodeCredentials::fixed("no keys", core::acceptor::AcceptorKeys{}), lab.pool.clock,
      lab.rng);
  CHECK_FALSE(kerberosOnly.mayBlock(request("NTLM TlRMTVNTUAADAAAAGAAYAEgAAAA=")));
}

TEST_CASE("ntlm http: logons through a node whose pass-throughs run on a pool of request threads",
          "[frontend][ntlm][integration]") {
  test::NtlmLab lab;
  auto& n = lab.addNode("fe01");
  net::HttpServerConfig config;
  config.threads = 1;
  config.blockingThreads = 4;
  auto started = net::HttpServer::start(config, *n.node);
  REQUIRE(started.ok());
  auto server = std::move(started).value();
  client::DnsZone dns;
  REQUIRE(dns.addA("pool.contoso.test", "127.0.0.1").ok());
  client::HttpClientRuntime http;
  core::SeededRng rng{5};
  const std::string url = "http://pool.contoso.test:" + std::to_string(server->port()) + test::kWebTicketPath;
  for (const bool raw : {false, true}) {
    ClientProfile profile = ClientProfile::externalPc();
    profile.ntlmCarrier = raw ? client::NtlmCarrier::NtlmScheme : client::NtlmCarrier::Negotiate;
    client::NegotiateHttpClient ws(profile, client::WorkstationUser{"alice", "CONTOSO", "Passw0rd!", "WS01"},
                                   dns, http, nullptr, lab.pool.clock, rng);
    const auto o = ws.get(url);
    INFO(describe(o));
    CHECK(o.kind == OutcomeKind::Ntlm);
    CHECK(o.user == "alice@CONTOSO.TEST");
  }
  CHECK(lab.netlogon.counters().requests == 2);
  server->stop();
}
