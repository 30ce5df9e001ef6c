#include "frontend/auth_filter.hpp"

#include <catch2/catch.hpp>

#include "client/ap_req_builder.hpp"
#include "core/acceptor/acceptor_error.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/negotiate_header.hpp"
#include "core/spnego/oids.hpp"
#include "frontend/request_handler.hpp"
#include "tests/frontend/frontend_test_support.hpp"

using namespace kerbpool;
using frontend::Allow;
using frontend::AuthFilter;
using frontend::AuthFilterOptions;
using frontend::Challenge;
using net::ConnectionContext;
using frontend::Decision;
using frontend::Deny;
using frontend::Persistence;
using test::kFrontendNow;

namespace {

// One node's filter: a key for HTTP/pool.contoso.test (kvno 1) and its own HOST key, a ManualClock at
// kFrontendNow, and the client on the same clock.
struct FilterFixture {
  explicit FilterFixture(Persistence persistence = Persistence::PerRequest, bool holdsPoolKey = true) {
    if (holdsPoolKey) {
      keys.add(test::acceptorKey({"HTTP/pool.contoso.test", "POOLKERB$"}, poolKey, 1));
    }
    keys.add(test::acceptorKey({"HOST/fe02.contoso.test", "HTTP/fe02.contoso.test", "FE02$"}, hostKey, 3));
    AuthFilterOptions o;
    o.persistence = persistence;
    filter = std::make_unique<AuthFilter>(o, cache, clock, rng);
  }

  Decision decide(const std::optional<std::string>& authorization, ConnectionContext& conn) {
    return filter->decide(test::protectedRequest(authorization), conn, keys);
  }
  std::string freshHeader(const client::InitiatorOptions& o = {}) {
    return test::negotiateFor(cred, clock, clientRng, o).header;
  }

  core::crypto::Key poolKey = test::testKey(1);
  core::crypto::Key hostKey = test::testKey(2);
  core::ManualClock clock{kFrontendNow};
  core::SeededRng rng{3};
  core::SeededRng clientRng{4};
  core::acceptor::ReplayCache cache{clock};
  core::acceptor::AcceptorKeys keys;
  std::unique_ptr<AuthFilter> filter;
  client::Credential cred = test::makeCredential(poolKey);
};

Deny requireDeny(const Decision& d, std::string_view code) {
  const auto* deny = std::get_if<Deny>(&d);
  INFO("decision: " << frontend::decisionKind(d));
  REQUIRE(deny != nullptr);
  INFO(deny->detail);
  CHECK(deny->code == code);
  // A refusal challenges again, so the client may retry with another token.
  REQUIRE_FALSE(deny->headers.empty());
  CHECK(deny->headers.front().first == "WWW-Authenticate");
  CHECK(deny->headers.front().second.rfind("Negotiate", 0) == 0);
  return *deny;
}

Allow requireAllow(const Decision& d) {
  const auto* allow = std::get_if<Allow>(&d);
  if (allow == nullptr) {
    const auto* deny = std::get_if<Deny>(&d);
    FAIL("not allowed: " << frontend::decisionKind(d) << " "
                         << (deny ? deny->code + ": " + deny->detail : ""));
  }
  return *allow;
}

std::optional<std::string> headerValue(const net::HeaderList& h, std::string_view name) {
  for (const auto& [n, v] : h) {
    if (n == name) {
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("auth filter: an anonymous request is challenged with Negotiate only", "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;
  const Decision d = f.decide(std::nullopt, conn);
  const auto* c = std::get_if<Challenge>(&d);
  REQUIRE(c != nullptr);
  CHECK(c->reason == "no_credentials");
  CHECK(c->headers == net::HeaderList{{"WWW-Authenticate", "Negotiate"}});
}

TEST_CASE("auth filter: a good Kerberos token is allowed with groups and a verifiable AP-REP",
          "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;
  auto token = test::negotiateFor(f.cred, f.clock, f.clientRng);
  const Decision d = f.decide(token.header, conn);
  const Allow a = requireAllow(d);
  CHECK(a.identity.user == "alice@CONTOSO.TEST");
  CHECK(a.identity.groups == std::vector<std::string>{"Domain Users", "Pool Users"});
  CHECK(a.identity.mechanism == "kerberos");
  CHECK(a.identity.servicePrincipal == "HTTP/pool.contoso.test");
  CHECK(a.identity.kvno == 1);
  CHECK_FALSE(a.fromConnection);
  // Mutual authentication: the client's own check of the AP-REP passes.
  auto www = headerValue(a.headers, "WWW-Authenticate");
  REQUIRE(www.has_value());
  auto parsed = core::spnego::parseAuthHeader(*www);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->token.has_value());
  auto mutual = client::verifyAcceptorToken(token.context, *parsed->token);
  INFO((mutual.ok() ? std::string() : mutual.error().message()));
  CHECK(mutual.ok());

  SECTION("the response is a 200 naming the node, user, groups and path") {
    auto r = frontend::protectedResponse(test::protectedRequest(token.header), d, "fe01");
    CHECK(r.status == 200);
    CHECK(r.body ==
          "{\"node\":\"fe01\",\"user\":\"alice@CONTOSO.TEST\",\"groups\":[\"Domain Users\",\"Pool "
          "Users\"],\"mechanism\":\"kerberos\",\"path\":\"/WebTicket/WebTicketService.svc\",\"persisted\":"
          "false}\n");
    CHECK(headerValue(r.headers, "WWW-Authenticate") == www);
  }
}

TEST_CASE("auth filter: no mutual authentication asked, no token on the 200", "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;
  client::InitiatorOptions o;
  o.gssFlags = core::spnego::gss_flags::kInteg | core::spnego::gss_flags::kConf;
  const Allow a = requireAllow(f.decide(f.freshHeader(o), conn));
  CHECK_FALSE(headerValue(a.headers, "WWW-Authenticate").has_value());
}

TEST_CASE("auth filter: a Windows-style offer (MS-krb5 first) and a bare krb5 token are accepted",
          "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;
  client::InitiatorOptions ms;
  ms.mechList = client::SpnegoMechList::MsKrb5First;
  CHECK(requireAllow(f.decide(f.freshHeader(ms), conn)).identity.user == "alice@CONTOSO.TEST");
  client::InitiatorOptions bare;
  bare.spnego = false;
  CHECK(requireAllow(f.decide(f.freshHeader(bare), conn)).identity.user == "alice@CONTOSO.TEST");
}

TEST_CASE("auth filter: per-request persistence challenges every request without a token",
          "[frontend][auth]") {
  FilterFixture f(Persistence::PerRequest);
  ConnectionContext conn;
  requireAllow(f.decide(f.freshHeader(), conn));
  CHECK(std::holds_alternative<Challenge>(f.decide(std::nullopt, conn)));
  requireAllow(f.decide(f.freshHeader(), conn));
}

TEST_CASE("auth filter: per-connection persistence keeps the connection authenticated", "[frontend][auth]") {
  FilterFixture f(Persistence::PerConnection);
  ConnectionContext conn;
  CHECK(std::holds_alternative<Challenge>(f.decide(std::nullopt, conn)));
  requireAllow(f.decide(f.freshHeader(), conn));
  const Allow again = requireAllow(f.decide(std::nullopt, conn));
  CHECK(again.fromConnection);
  CHECK(again.identity.user == "alice@CONTOSO.TEST");
  CHECK(again.headers.empty());

  SECTION("another connection is not authenticated") {
    ConnectionContext other;
    CHECK(std::holds_alternative<Challenge>(f.decide(std::nullopt, other)));
  }
  SECTION("a refused token ends the connection's authentication") {
    requireDeny(f.decide(std::string("Negotiate !!!"), conn), "malformed_token");
    CHECK(std::holds_alternative<Challenge>(f.decide(std::nullopt, conn)));
  }
  SECTION("a new token re-authenticates the connection") {
    test::TicketParams p;
    p.user = "bob";
    p.groups = std::nullopt;
    auto bob = test::makeCredential(f.poolKey, p);
    const Allow b = requireAllow(f.decide(test::negotiateFor(bob, f.clock, f.clientRng).header, conn));
    CHECK(b.identity.user == "bob@CONTOSO.TEST");
    CHECK(b.identity.groups.empty());
    CHECK(requireAllow(f.decide(std::nullopt, conn)).identity.user == "bob@CONTOSO.TEST");
  }
}

TEST_CASE("auth filter: refusals carry the acceptor's reason code", "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;

  SECTION("replayed Authorization header") {
    const std::string h = f.freshHeader();
    requireAllow(f.decide(h, conn));
    requireDeny(f.decide(h, conn), core::acceptor::codes::kReplay);
  }
  SECTION("a node without the pool key names what it holds") {
    FilterFixture fe02(Persistence::PerRequest, false);
    const Deny d = requireDeny(fe02.decide(fe02.freshHeader(), conn), "no_key_for_spn");
    test::checkContainsAll(
        d.detail, {"HTTP/pool.contoso.test", "kvno 1", "aes256-cts-hmac-sha1-96", "HOST/fe02.contoso.test"});
  }
  SECTION("a ticket of a newer kvno than the node holds") {
    test::TicketParams p;
    p.kvno = 2;
    auto newer = test::makeCredential(f.poolKey, p);
    requireDeny(f.decide(test::negotiateFor(newer, f.clock, f.clientRng).header, conn), "no_key_for_kvno");
  }
  SECTION("a ticket sealed with another key of the right kvno") {
    auto forged = test::makeCredential(test::testKey(99));
    requireDeny(f.decide(test::negotiateFor(forged, f.clock, f.clientRng).header, conn), "bad_integrity");
  }
  SECTION("a tampered ticket") {
    auto tampered = f.cred;
    tampered.ticket.encPart.cipher[20] ^= 0x01;
    tampered.ticketBytes = core::messages::encode(tampered.ticket);
    requireDeny(f.decide(test::negotiateFor(tampered, f.clock, f.clientRng).header, conn), "bad_integrity");
  }
  SECTION("a client clock ten minutes ahead") {
    core::OffsetClock ahead(f.clock, std::chrono::minutes(10));
    requireDeny(f.decide(test::negotiateFor(f.cred, ahead, f.clientRng).header, conn), "clock_skew");
  }
  SECTION("an expired ticket") {
    f.clock.advance(std::chrono::hours(11));  // node and client both past the ticket's end
    requireDeny(f.decide(f.freshHeader(), conn), "ticket_expired");
  }
  SECTION("garbage base64") {
    const Deny d = requireDeny(f.decide(std::string("Negotiate YII*garbage"), conn), "malformed_token");
    CHECK_THAT(d.detail, Catch::Contains("bad_base64"));
  }
  SECTION("base64 that is no token") {
    requireDeny(f.decide(std::string("Negotiate AAAAAAAA"), conn), "malformed_token");
  }
  SECTION("a 64 KiB token") {
    requireDeny(f.decide("Negotiate " + std::string(64 * 1024, 'A'), conn), "malformed_token");
  }
  SECTION("an empty Negotiate") {
    requireDeny(f.decide(std::string("Negotiate"), conn), "malformed_token");
  }
  SECTION("Basic credentials are not echoed") {
    const Deny d =
        requireDeny(f.decide(std::string("Basic YWxpY2U6UGFzc3cwcmQh"), conn), "unsupported_scheme");
    CHECK_THAT(d.detail, Catch::Contains("'Basic'"));
    CHECK(d.detail.find("YWxpY2U6") == std::string::npos);
  }
  SECTION("two Authorization fields") {
    auto req = test::protectedRequest(f.freshHeader());
    req.headers.emplace_back("authorization", f.freshHeader());
    requireDeny(f.filter->decide(req, conn, f.keys), "multiple_authorization");
  }
}

TEST_CASE("auth filter: NTLM is refused as ntlm_not_enabled", "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;
  // NTLMSSP NEGOTIATE (signature, type 1, flags).
  const core::Bytes ntlmNegotiate{'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0, 0x07, 0x82, 0x08, 0xa2};
  const std::string b64 = core::base64Encode(ntlmNegotiate);
  requireDeny(f.decide("NTLM " + b64, conn), "ntlm_not_enabled");
  requireDeny(f.decide("Negotiate " + b64, conn), "ntlm_not_enabled");
  core::spnego::NegTokenInit onlyNtlm;
  onlyNtlm.mechTypes = {core::Bytes(core::spnego::ntlmsspOid().begin(), core::spnego::ntlmsspOid().end())};
  onlyNtlm.mechToken = ntlmNegotiate;
  const Deny& d = requireDeny(
      f.decide("Negotiate " + core::base64Encode(core::spnego::encodeInitialToken(onlyNtlm)), conn),
      "ntlm_not_enabled");
  CHECK_THAT(d.detail, Catch::Contains("NTLM is not enabled"));
}

TEST_CASE("auth filter: NTLMSSP first with Kerberos listed selects Kerberos (another leg)",
          "[frontend][auth]") {
  FilterFixture f;
  ConnectionContext conn;
  core::spnego::NegTokenInit offer;
  offer.mechTypes = {core::Bytes(core::spnego::ntlmsspOid().begin(), core::spnego::ntlmsspOid().end()),
                     core::Bytes(core::spnego::krb5Oid().begin(), core::spnego::krb5Oid().end())};
  const Decision d =
      f.decide("Negotiate " + core::base64Encode(core::spnego::encodeInitialToken(offer)), conn);
  const auto* c = std::get_if<Challenge>(&d);
  REQUIRE(c != nullptr);
  CHECK(c->reason == "negotiate_continue");
  REQUIRE(c->headers.size() == 1);
  auto parsed = core::spnego::parseAuthHeader(c->headers.front().second);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->token.has_value());
  auto resp = core::spnego::decodeNegotiationToken(*parsed->token);
  REQUIRE(resp.ok());
  REQUIRE(std::holds_alternative<core::spnego::NegTokenResp>(*resp));
  const auto& r = std::get<core::spnego::NegTokenResp>(*resp);
  REQUIRE(r.supportedMech.has_value());
  CHECK(core::spnego::oidEqual(*r.supportedMech, core::spnego::krb5Oid()));
  // The negotiation waits on the connection; a request without a token abandons it.
  CHECK(frontend::connectionAuthState(conn).negotiate.has_value());
  CHECK(std::holds_alternative<Challenge>(f.decide(std::nullopt, conn)));
  CHECK_FALSE(frontend::connectionAuthState(conn).negotiate.has_value());
}

TEST_CASE("auth filter: persistence names parse", "[frontend][auth]") {
  CHECK(*frontend::parsePersistence("per-request") == Persistence::PerRequest);
  CHECK(*frontend::parsePersistence("per-connection") == Persistence::PerConnection);
  CHECK(frontend::parsePersistence("always").error().code == "bad_persistence");
  CHECK(frontend::toString(Persistence::PerConnection) == "per-connection");
}
