// A node's Lync web services: discovery, the WebTicket service (Negotiate in, a pool-signed web ticket out)
// and UCWA resources that take only that ticket, opened on any node that holds the pool's key.
#include "frontend/web_tickets.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/common/base64.hpp"
#include "core/crypto/client_certificate.hpp"
#include "frontend/node.hpp"
#include "tests/frontend/frontend_test_support.hpp"

using namespace kerbpool;
using frontend::FrontendNode;
using net::ConnectionContext;
using net::HttpRequest;
using net::HttpResponse;
using test::kFrontendNow;

namespace {

struct Pool {
  core::ManualClock clock{kFrontendNow};
  core::SeededRng rng{3};
  core::SeededRng clientRng{4};
  core::crypto::Key serviceKey = test::testKey(1);
  client::Credential cred = test::makeCredential(serviceKey);
  core::webticket::PoolKey v1 = core::webticket::generatePoolKey(1, rng).value();
  core::webticket::PoolKey v2 = core::webticket::generatePoolKey(2, rng).value();
  // The pool's certificate provisioning, shared by its nodes; its certificates' validity.
  std::shared_ptr<frontend::ClientCertificateAuthority> ca =
      frontend::ClientCertificateAuthority::create(kFrontendNow - std::chrono::hours(24)).value();
  std::chrono::hours validity{4320};

  std::unique_ptr<FrontendNode> node(const std::string& name, std::vector<core::webticket::PoolKey> keys) {
    core::acceptor::AcceptorKeys k;
    k.add(test::acceptorKey({"HTTP/pool.contoso.test", "POOLKERB$"}, serviceKey, 1));
    frontend::FrontendNodeConfig config;
    config.name = name;
    frontend::WebServiceConfig web;
    web.poolFqdn = "pool.contoso.test";
    web.externalFqdns = {"lyncweb.contoso.com"};
    web.certificates = ca;
    web.defaultValidityPeriod = validity;
    config.webServices = web;
    auto n =
        std::make_unique<FrontendNode>(config, frontend::NodeCredentials::fixed("test keys", k), clock, rng);
    n->webTicketKeys().set(std::move(keys));
    return n;
  }
  HttpRequest request(std::string method, std::string target, std::optional<std::string> authorization = {},
                      std::string host = "pool.contoso.test") {
    HttpRequest r = test::protectedRequest(std::move(authorization), std::move(target));
    r.method = std::move(method);
    r.headers.emplace_back("Host", std::move(host));
    r.tls = true;
    return r;
  }
  // POST /WebTicket/oauthtoken with a fresh Kerberos token; the ticket from the answer.
  HttpResponse signIn(FrontendNode& n, std::string body = "grant_type=urn%3Amicrosoft.rtc%3Awindows",
                      std::string host = "pool.contoso.test") {
    HttpRequest r = request("POST", "/WebTicket/oauthtoken",
                            test::negotiateFor(cred, clock, clientRng).header, std::move(host));
    r.body = std::move(body);
    ConnectionContext conn;
    return n.handle(r, conn);
  }
  // POST /CertProv/CertProvisioningService.svc with `ticket` and a fresh key's PKCS#10 request: the answer,
  // and the key in `key`.
  HttpResponse provision(FrontendNode& n, const std::string& ticket, std::string& key) {
    key = core::crypto::generateClientKey().value();
    HttpRequest r = request("POST", "/CertProv/CertProvisioningService.svc", "Bearer " + ticket);
    r.headers.emplace_back("Content-Type", "application/pkcs10");
    r.body = core::base64Encode(core::crypto::makeCertificateRequest(key, "ignored").value());
    ConnectionContext conn;
    return n.handle(r, conn);
  }
  // POST /WebTicket/WebTicketService.svc/Cert: the certificate, a time and the key's signature over them.
  HttpResponse certificateGrant(FrontendNode& n, const core::Bytes& certificate, const std::string& key,
                                std::string audience = "https://pool.contoso.test",
                                std::optional<core::TimePoint> signedAt = std::nullopt) {
    const std::int64_t t = core::toUnixSeconds(signedAt.value_or(clock.now()));
    const std::string data = core::webticket::certificateGrantSignedData(audience, t);
    const auto form = [](const core::Bytes& b) {
      std::string out;
      for (const char c : core::base64Encode(b)) {
        out += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
      }
      return out;
    };
    HttpRequest r = request("POST", "/WebTicket/WebTicketService.svc/Cert");
    r.body = "grant_type=urn%3Akerbpool%3Aclient_certificate&certificate=" + form(certificate) +
             "&timestamp=" + std::to_string(t) +
             "&signature=" + form(core::crypto::signWithKey(key, core::asBytes(data)).value());
    ConnectionContext conn;
    return n.handle(r, conn);
  }
  static core::Bytes certificateOf(const HttpResponse& r) {
    std::string text = r.body;
    text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
    return core::crypto::certificatesFromPkcs7(core::base64Decode(text).value()).value().at(0);
  }
  static std::string ticketOf(const HttpResponse& r) {
    return nlohmann::json::parse(r.body).at("access_token").get<std::string>();
  }
};

std::vector<std::string> headerValues(const HttpResponse& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) {
    if (k == name) {
      out.push_back(v);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("web services: discover, 401 MsRtcOAuth, oauthtoken with Negotiate, Bearer on another node",
          "[frontend][webticket]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v1});
  auto fe02 = p.node("fe02", {p.v1});
  ConnectionContext conn;

  const auto root = fe01->handle(p.request("GET", "/Autodiscover/AutodiscoverService.svc/root"), conn);
  REQUIRE(root.status == 200);
  const auto links = nlohmann::json::parse(root.body).at("_links");
  CHECK(links.at("user").at("href") ==
        "https://pool.contoso.test/Autodiscover/AutodiscoverService.svc/root/oauth/user");

  const auto anonymous = fe01->handle(p.request("GET", "/ucwa/oauth/v1/applications"), conn);
  CHECK(anonymous.status == 401);
  const auto challenges = headerValues(anonymous, "WWW-Authenticate");
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[1] ==
        "MsRtcOAuth href=\"https://pool.contoso.test/WebTicket/oauthtoken\",grant_type=\"urn:microsoft.rtc:"
        "windows,urn:microsoft.rtc:anonmeeting,password\"");

  const auto token = p.signIn(*fe01);
  INFO(token.body);
  REQUIRE(token.status == 200);
  const auto j = nlohmann::json::parse(token.body);
  CHECK(j.at("token_type") == "Bearer");
  CHECK(j.at("expires_in") == 28800);  // 8 h: an internal client
  CHECK(j.at("ms_rtc_identityscope") == "local");
  const std::string ticket = Pool::ticketOf(token);
  CHECK(ticket.rfind("cwt=", 0) == 0);

  // fe02 never saw the sign-in: it opens fe01's ticket with the pool's key.
  const auto ucwa = fe02->handle(p.request("GET", "/ucwa/oauth/v1/applications", "Bearer " + ticket), conn);
  INFO(ucwa.body);
  REQUIRE(ucwa.status == 200);
  const auto who = nlohmann::json::parse(ucwa.body);
  CHECK(who.at("user") == "alice@CONTOSO.TEST");
  CHECK(who.at("mechanism") == "webticket");
  CHECK(who.at("node") == "fe02");
  CHECK(who.at("webticket_issued_by") == "fe01");
  CHECK(who.at("webticket_signed_in_with") == "kerberos");
  const auto user = fe02->handle(
      p.request("GET", "/Autodiscover/AutodiscoverService.svc/root/oauth/user", "Bearer " + ticket), conn);
  REQUIRE(user.status == 200);
  CHECK(nlohmann::json::parse(user.body).at("_links").at("applications").at("href") ==
        "https://pool.contoso.test/ucwa/oauth/v1/applications");
  CHECK(fe02->stats().allowedByMechanism.at("webticket") == 2);
}

TEST_CASE("web services: a node without the pool's key refuses other nodes' tickets and cannot issue its own",
          "[frontend][webticket]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v2});
  auto fe03 = p.node("fe03", {p.v1});  // missed the key roll to version 2
  auto fe04 = p.node("fe04", {});      // a new node the certificate was never assigned to
  const std::string ticket = Pool::ticketOf(p.signIn(*fe01));
  ConnectionContext conn;
  for (auto* n : {fe03.get(), fe04.get()}) {
    const auto r = n->handle(p.request("GET", "/ucwa/oauth/v1/applications", "Bearer " + ticket), conn);
    CHECK(r.status == 401);
    CHECK(r.body == "401 Unauthorized: webticket_unknown_pool_key\n");
    CHECK(headerValues(r, "WWW-Authenticate").front() == "Bearer error=\"invalid_token\"");
    CHECK(n->stats().deniedFor("webticket_unknown_pool_key") == 1);
  }
  // fe04 authenticates the user, but has nothing to sign a ticket with.
  const auto issued = p.signIn(*fe04);
  CHECK(issued.status == 503);
  CHECK(issued.body.find("fe04 holds no key of the pool's web services certificate") != std::string::npos);
  // Once it gets the key, it can.
  fe04->webTicketKeys().set({p.v2});
  CHECK(fe04->handle(p.request("GET", "/ucwa/x", "Bearer " + ticket), conn).status == 200);
}

TEST_CASE("web services: lifetimes, expiry, tampering, other schemes and grant types",
          "[frontend][webticket]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v1});
  ConnectionContext conn;
  // Through the external web services: 15 min.
  const auto external = p.signIn(*fe01, "grant_type=urn:microsoft.rtc:windows", "lyncweb.contoso.com:4443");
  REQUIRE(external.status == 200);
  CHECK(nlohmann::json::parse(external.body).at("expires_in") == 900);
  CHECK(nlohmann::json::parse(external.body).at("ms_rtc_identityscope") == "remote");
  const std::string ticket = Pool::ticketOf(external);
  CHECK(fe01->handle(p.request("GET", "/ucwa/x", "Bearer " + ticket), conn).status == 200);
  p.clock.advance(std::chrono::minutes(15) + std::chrono::seconds(300));
  const auto expired = fe01->handle(p.request("GET", "/ucwa/x", "Bearer " + ticket), conn);
  CHECK(expired.body == "401 Unauthorized: webticket_expired\n");

  std::string tampered = Pool::ticketOf(p.signIn(*fe01));
  tampered[30] = tampered[30] == 'A' ? 'B' : 'A';
  CHECK(fe01->handle(p.request("GET", "/ucwa/x", "Bearer " + tampered), conn).body ==
        "401 Unauthorized: webticket_bad_integrity\n");
  // Negotiate is for the WebTicket service, not for UCWA.
  const auto negotiate = fe01->handle(
      p.request("GET", "/ucwa/x", test::negotiateFor(p.cred, p.clock, p.clientRng).header), conn);
  CHECK(negotiate.body == "401 Unauthorized: unsupported_scheme\n");

  CHECK(p.signIn(*fe01, "grant_type=password&username=x").status == 400);
  CHECK(p.signIn(*fe01, "").status == 400);
  HttpRequest get =
      p.request("GET", "/WebTicket/oauthtoken", test::negotiateFor(p.cred, p.clock, p.clientRng).header);
  CHECK(fe01->handle(get, conn).status == 405);
  // Without credentials the WebTicket service challenges for integrated Windows authentication.
  HttpRequest anonymous = p.request("POST", "/WebTicket/oauthtoken");
  anonymous.body = "grant_type=urn:microsoft.rtc:windows";
  const auto challenge = fe01->handle(anonymous, conn);
  CHECK(challenge.status == 401);
  CHECK(headerValues(challenge, "WWW-Authenticate").front() == "Negotiate");
}

TEST_CASE(
    "web services: the open MEX-like metadata names the WebTicket endpoint and its Windows authentication",
    "[frontend][webticket]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v1});
  ConnectionContext conn;
  const HttpResponse r = fe01->handle(
      p.request("GET", "/WebTicket/WebTicketService.svc/mex", std::nullopt, "lyncweb.contoso.com"), conn);
  CHECK(r.status == 200);
  CHECK(headerValues(r, "Content-Type") == std::vector<std::string>{"text/xml; charset=utf-8"});
  CHECK(r.body.find("<soap12:address location=\"https://lyncweb.contoso.com/WebTicket/oauthtoken\"/>") !=
        std::string::npos);
  CHECK(r.body.find(
            "<sp:Issuer><wsa10:Address>https://lyncweb.contoso.com/WebTicket/oauthtoken</wsa10:Address>") !=
        std::string::npos);
  CHECK(r.body.find("<http:NegotiateAuthentication/><http:NtlmAuthentication/>") != std::string::npos);
  // Anonymous: no challenge, no authentication asked.
  CHECK(headerValues(r, "WWW-Authenticate").empty());
  // A Host that is not a plain name is not echoed: the pool's name stands in.
  const HttpResponse odd = fe01->handle(
      p.request("GET", "/webticket/webticketservice.svc/MEX", std::nullopt, "evil\"><x y=\"1"), conn);
  CHECK(odd.status == 200);
  CHECK(odd.body.find("evil") == std::string::npos);
  CHECK(odd.body.find("https://pool.contoso.test/WebTicket/oauthtoken") != std::string::npos);
  const HttpResponse post = fe01->handle(p.request("POST", "/WebTicket/WebTicketService.svc/mex"), conn);
  CHECK(post.status == 405);
}

TEST_CASE(
    "web services: a Windows sign-in buys a client certificate, which buys web tickets on any node with "
    "no Windows sign-in",
    "[frontend][webticket][certificate]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v1});
  auto fe02 = p.node("fe02", {p.v1});
  ConnectionContext conn;
  const std::string windowsTicket = Pool::ticketOf(p.signIn(*fe01));
  std::string key;
  const HttpResponse issued = p.provision(*fe01, windowsTicket, key);
  INFO(issued.body);
  REQUIRE(issued.status == 200);
  CHECK(headerValues(issued, "Content-Type") ==
        std::vector<std::string>{"application/pkcs7-mime; smime-type=certs-only"});
  const core::Bytes certificate = Pool::certificateOf(issued);
  // The certificate names the signed-in user (not the request's CN) and lasts DefaultValidityPeriodHours.
  const auto verified = p.ca->verify(certificate, p.clock.now(), core::asBytes("x"),
                                     core::crypto::signWithKey(key, core::asBytes("x")).value());
  REQUIRE(verified.ok());
  CHECK(verified->user == "alice@CONTOSO.TEST");
  CHECK(verified->notAfter - verified->notBefore == std::chrono::hours(4320));

  // fe02 sells a ticket for the certificate alone: no Authorization, no Negotiate, no DC.
  const HttpResponse grant = p.certificateGrant(*fe02, certificate, key);
  INFO(grant.body);
  REQUIRE(grant.status == 200);
  CHECK(fe02->stats().allowedByMechanism.at("certificate") == 1);
  const std::string certificateTicket = Pool::ticketOf(grant);
  const auto ucwa =
      fe01->handle(p.request("GET", "/ucwa/oauth/v1/applications", "Bearer " + certificateTicket), conn);
  REQUIRE(ucwa.status == 200);
  CHECK(nlohmann::json::parse(ucwa.body).at("webticket_signed_in_with") == "certificate");
  CHECK(nlohmann::json::parse(ucwa.body).at("webticket_issued_by") == "fe02");

  // A ticket the certificate bought does not buy another certificate: that takes a Windows sign-in.
  std::string otherKey;
  const HttpResponse again = p.provision(*fe02, certificateTicket, otherKey);
  CHECK(again.status == 403);
  CHECK(again.body.find("a new certificate takes a Windows sign-in") != std::string::npos);
}

TEST_CASE(
    "web services: expired, revoked, untrusted, stale, mis-signed and malformed certificate grants are "
    "refused with a reason",
    "[frontend][webticket][certificate]") {
  Pool p;
  p.validity = std::chrono::hours(8);
  auto fe01 = p.node("fe01", {p.v1});
  ConnectionContext conn;
  const std::string windowsTicket = Pool::ticketOf(p.signIn(*fe01));
  std::string key;
  const core::Bytes certificate = Pool::certificateOf(p.provision(*fe01, windowsTicket, key));
  const auto codeOf = [](const HttpResponse& r) {
    return nlohmann::json::parse(r.body).at("error_description").get<std::string>();
  };
  const auto startsWith = [](const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
  };

  // Signed for the pool's external web services name (what a client outside knows): accepted.
  CHECK(p.certificateGrant(*fe01, certificate, key, "https://lyncweb.contoso.com").status == 200);
  // Signed for another pool, or long ago, or by another key.
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, certificate, key, "https://other.contoso.test")),
                   "client_certificate_bad_signature"));
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, certificate, key, "https://pool.contoso.test",
                                             p.clock.now() - std::chrono::minutes(6))),
                   "certificate_grant_stale"));
  const std::string stranger = core::crypto::generateClientKey().value();
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, certificate, stranger)),
                   "client_certificate_bad_signature"));
  // From another pool's CA.
  Pool other;
  auto elsewhere = other.node("fe09", {other.v1});
  std::string otherKey;
  const core::Bytes foreign =
      Pool::certificateOf(other.provision(*elsewhere, Pool::ticketOf(other.signIn(*elsewhere)), otherKey));
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, foreign, otherKey)), "client_certificate_untrusted"));
  // Not a certificate at all; fields missing.
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, core::Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, key)),
                   "client_certificate_malformed"));
  HttpRequest partial = p.request("POST", "/WebTicket/WebTicketService.svc/Cert");
  partial.body = "grant_type=urn%3Akerbpool%3Aclient_certificate&certificate=AAAA";
  CHECK(startsWith(codeOf(fe01->handle(partial, conn)), "certificate_grant_incomplete"));
  CHECK(p.certificateGrant(*fe01, certificate, key).status == 200);

  // Revoke-CsClientCertificate: the certificate and the tickets issued until now are refused.
  const std::string before = Pool::ticketOf(p.certificateGrant(*fe01, certificate, key));
  p.clock.advance(std::chrono::seconds(1));
  p.ca->revoke("alice@contoso.test", p.clock.now());
  p.clock.advance(std::chrono::seconds(1));
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, certificate, key)), "client_certificate_revoked"));
  CHECK(fe01->handle(p.request("GET", "/ucwa/x", "Bearer " + before), conn).body ==
        "401 Unauthorized: webticket_revoked\n");
  CHECK(fe01->handle(p.request("GET", "/ucwa/x", "Bearer " + windowsTicket), conn).body ==
        "401 Unauthorized: webticket_revoked\n");
  // A new Windows sign-in (the account is still good) gets a new ticket and a new certificate.
  const std::string fresh = Pool::ticketOf(p.signIn(*fe01));
  CHECK(fe01->handle(p.request("GET", "/ucwa/x", "Bearer " + fresh), conn).status == 200);
  std::string newKey;
  const core::Bytes renewed = Pool::certificateOf(p.provision(*fe01, fresh, newKey));
  CHECK(p.certificateGrant(*fe01, renewed, newKey).status == 200);

  // DefaultValidityPeriodHours 8: nine hours later the certificate is expired.
  p.clock.advance(std::chrono::hours(9));
  CHECK(startsWith(codeOf(p.certificateGrant(*fe01, renewed, newKey)), "client_certificate_expired"));
  CHECK(fe01->stats().deniedFor("client_certificate_expired") == 1);
  CHECK(fe01->stats().deniedFor("client_certificate_revoked") == 1);
}

TEST_CASE("web services: certificate provisioning takes a web ticket and a well-formed PKCS#10 request",
          "[frontend][webticket][certificate]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v1});
  ConnectionContext conn;
  HttpRequest anonymous = p.request("POST", "/CertProv/CertProvisioningService.svc");
  anonymous.headers.emplace_back("Content-Type", "application/pkcs10");
  anonymous.body = "AAAA";
  const HttpResponse challenge = fe01->handle(anonymous, conn);
  CHECK(challenge.status == 401);
  CHECK(headerValues(challenge, "WWW-Authenticate").size() == 2);  // Bearer and MsRtcOAuth

  const std::string ticket = Pool::ticketOf(p.signIn(*fe01));
  HttpRequest wrongType = p.request("POST", "/CertProv/CertProvisioningService.svc", "Bearer " + ticket);
  wrongType.body = "AAAA";
  CHECK(fe01->handle(wrongType, conn).status == 415);
  HttpRequest garbage = wrongType;
  garbage.headers.emplace_back("Content-Type", "application/pkcs10");
  for (const std::string& body :
       std::vector<std::string>{"not base64!", "AAAA", core::base64Encode(core::asBytes("0123456789"))}) {
    garbage.body = body;
    const HttpResponse r = fe01->handle(garbage, conn);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
  }
  HttpRequest get = p.request("GET", "/CertProv/CertProvisioningService.svc", "Bearer " + ticket);
  CHECK(fe01->handle(get, conn).status == 405);
  CHECK(p.ca->issued() == 0);
}

TEST_CASE("web services: Lync discover answers internal or external links by the name the client asked",
          "[frontend][webticket]") {
  Pool p;
  auto fe01 = p.node("fe01", {p.v1});
  ConnectionContext conn;
  const auto userLink = [&](const std::string& host) {
    const HttpResponse r = fe01->handle(
        p.request("GET", "/autodiscover/autodiscoverservice.svc/root", std::nullopt, host), conn);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body).at("_links").at("user").at("href").get<std::string>();
  };
  CHECK(userLink("lyncdiscoverinternal.contoso.test:4443") ==
        "https://pool.contoso.test:4443/Autodiscover/AutodiscoverService.svc/root/oauth/user");
  CHECK(userLink("lyncdiscover.contoso.com") ==
        "https://lyncweb.contoso.com/Autodiscover/AutodiscoverService.svc/root/oauth/user");
  CHECK(userLink("pool.contoso.test") ==
        "https://pool.contoso.test/Autodiscover/AutodiscoverService.svc/root/oauth/user");
}
