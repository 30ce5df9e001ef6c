// A node's Lync web services: discovery, the WebTicket service (Negotiate in, a pool-signed web ticket out)
// and UCWA resources that take only that ticket, opened on any node that holds the pool's key.
#include "frontend/web_tickets.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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

  std::unique_ptr<FrontendNode> node(const std::string& name, std::vector<core::webticket::PoolKey> keys) {
    core::acceptor::AcceptorKeys k;
    k.add(test::acceptorKey({"HTTP/pool.contoso.test", "POOLKERB$"}, serviceKey, 1));
    frontend::FrontendNodeConfig config;
    config.name = name;
    frontend::WebServiceConfig web;
    web.poolFqdn = "pool.contoso.test";
    web.externalFqdns = {"lyncweb.contoso.com"};
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
