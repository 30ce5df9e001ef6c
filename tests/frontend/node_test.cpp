#include "frontend/node.hpp"

#include <catch2/catch.hpp>
#include <mutex>

#include "core/common/log.hpp"
#include "frontend/request_handler.hpp"
#include "tests/frontend/frontend_test_support.hpp"

using namespace kerbpool;
using net::ConnectionContext;
using frontend::FrontendNode;
using net::HttpResponse;
using test::kFrontendNow;

namespace {

// Captures log lines as "component: message" while alive.
class LogCapture {
 public:
  LogCapture() {
    core::Logger::setSink([this](core::LogLevel, std::string_view component, std::string_view message) {
      std::lock_guard lock(mu_);
      lines_.push_back(std::string(component) + ": " + std::string(message));
    });
  }
  ~LogCapture() { core::Logger::setSink({}); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

struct NodeFixture {
  explicit NodeFixture(std::string name, bool holdsPoolKey,
                       frontend::Persistence persistence = frontend::Persistence::PerRequest) {
    core::acceptor::AcceptorKeys keys;
    if (holdsPoolKey) {
      keys.add(test::acceptorKey({"HTTP/pool.contoso.test", "POOLKERB$"}, poolKey, 1));
    }
    keys.add(test::acceptorKey({"HOST/" + name + ".contoso.test", "HTTP/" + name + ".contoso.test"},
                               test::testKey(50), 2));
    frontend::FrontendNodeConfig config;
    config.name = name;
    config.auth.persistence = persistence;
    node = std::make_unique<FrontendNode>(config, frontend::NodeCredentials::fixed("test keys", keys), clock,
                                          rng);
  }
  HttpResponse get(const std::optional<std::string>& authorization, ConnectionContext& conn,
                   std::string target = "/WebTicket/WebTicketService.svc") {
    return node->handle(test::protectedRequest(authorization, std::move(target)), conn);
  }
  std::string freshHeader() { return test::negotiateFor(cred, clock, clientRng).header; }

  core::crypto::Key poolKey = test::testKey(1);
  core::ManualClock clock{kFrontendNow};
  core::SeededRng rng{3};
  core::SeededRng clientRng{4};
  client::Credential cred = test::makeCredential(poolKey);
  std::unique_ptr<FrontendNode> node;
};

}  // namespace

TEST_CASE("node: /health is open, everything else is protected", "[frontend][node]") {
  NodeFixture f("fe01", true);
  ConnectionContext conn;
  auto health = f.get(std::nullopt, conn, "/health");
  CHECK(health.status == 200);
  CHECK(health.body == "ok node fe01\n");
  for (const char* target :
       {"/", "/WebTicket/WebTicketService.svc", "/Autodiscover/AutodiscoverService.svc/root",
        "/ABS/Handler/x", "/Health", "/health/", "/health/../ABS", "*", "http://pool.contoso.test/health",
        "/anything?x=/health"}) {
    INFO(target);
    auto r = f.get(std::nullopt, conn, target);
    CHECK(r.status == 401);
    CHECK(r.body == "401 Unauthorized: no_credentials\n");
  }
  CHECK(f.get(std::nullopt, conn, "/health?probe=lb").status == 200);
  auto st = f.node->stats();
  CHECK(st.health == 2);
  CHECK(st.challenged == 10);
  CHECK(st.requests == 12);
}

TEST_CASE("node: a 200 only after an allow decision", "[frontend][node]") {
  NodeFixture f("fe01", true);
  ConnectionContext conn;
  const std::string good = f.freshHeader();
  // Everything a client might send that is not a fresh, valid token: never a 200.
  std::vector<std::optional<std::string>> bad = {std::nullopt,
                                                 "",
                                                 "Negotiate",
                                                 "Negotiate ",
                                                 "Negotiate ====",
                                                 "Negotiate YIIB",
                                                 "negotiate AAAA",
                                                 "Basic YWxpY2U6UGFzc3cwcmQh",
                                                 "Bearer x",
                                                 "NTLM TlRMTVNTUAABAAAAB4IIog==",
                                                 good.substr(0, 60),
                                                 good + "AAAA",
                                                 "Negotiate " + std::string(70000, 'Y')};
  for (const auto& h : bad) {
    INFO((h ? h->substr(0, 40) : std::string("(none)")));
    auto r = f.get(h, conn);
    CHECK(r.status == 401);
    CHECK(r.body.rfind("401 Unauthorized: ", 0) == 0);
    CHECK(r.body.find("alice") == std::string::npos);
  }
  auto ok = f.get(good, conn);
  CHECK(ok.status == 200);
  CHECK(f.get(good, conn).status == 401);  // the same header again: replay
  auto st = f.node->stats();
  CHECK(st.allowed == 1);
  CHECK(st.allowedByUser["alice@CONTOSO.TEST"] == 1);
  CHECK(st.deniedFor("replay") == 1);
  CHECK(st.deniedFor("malformed_token") >= 5);
  CHECK(st.deniedFor("unsupported_scheme") == 2);
  CHECK(st.deniedFor("ntlm_not_enabled") == 1);
}

TEST_CASE("node: a refusal is logged with node, peer, request, code and detail", "[frontend][node]") {
  NodeFixture fe02("fe02", false);
  ConnectionContext conn;
  LogCapture log;
  auto r = fe02.get(fe02.freshHeader(), conn);
  CHECK(r.status == 401);
  CHECK(r.body == "401 Unauthorized: no_key_for_spn\n");
  // The body states the reason code, never the keys the node holds.
  CHECK(r.body.find("HOST/") == std::string::npos);
  bool found = false;
  for (const auto& line : log.lines()) {
    if (line.rfind("fe02: 401 for 127.0.0.1:5555 GET /WebTicket/WebTicketService.svc: no_key_for_spn: no key "
                   "for HTTP/pool.contoso.test",
                   0) == 0) {
      found = true;
      CHECK_THAT(line, Catch::Contains("HOST/fe02.contoso.test"));
    }
  }
  CHECK(found);
  CHECK(fe02.node->stats().deniedFor("no_key_for_spn") == 1);
  CHECK(fe02.node->stats().denied == 1);
}

TEST_CASE("node: per-connection persistence counts requests served from the connection", "[frontend][node]") {
  NodeFixture f("fe01", true, frontend::Persistence::PerConnection);
  ConnectionContext conn;
  CHECK(f.get(f.freshHeader(), conn).status == 200);
  auto again = f.get(std::nullopt, conn);
  CHECK(again.status == 200);
  CHECK_THAT(again.body, Catch::Contains("\"persisted\":true"));
  ConnectionContext other;
  CHECK(f.get(std::nullopt, other).status == 401);
  auto st = f.node->stats();
  CHECK(st.allowed == 2);
  CHECK(st.allowedByConnection == 1);
  CHECK(st.challenged == 1);
}

TEST_CASE("node: replay caches are per node", "[frontend][node]") {
  NodeFixture fe01("fe01", true);
  NodeFixture fe02("fe02", true);
  ConnectionContext c1;
  ConnectionContext c2;
  const std::string h = fe01.freshHeader();
  CHECK(fe01.get(h, c1).status == 200);
  // A token replayed to another node of the pool is only caught by a shared cache (scenario choice).
  CHECK(fe02.get(h, c2).status == 200);
  CHECK(fe01.get(h, c1).status == 401);
  CHECK(fe01.node->stats().deniedFor("replay") == 1);
}

TEST_CASE("request handler: the 200's JSON escapes names and replaces bytes that are not UTF-8",
          "[frontend][node]") {
  frontend::Allow allow;
  allow.identity.user = "a\"b\\c\n\x01";
  allow.identity.groups = {"G\xff", "\xc3\xa9quipe"};
  allow.identity.mechanism = "ntlm";
  allow.fromConnection = true;
  const auto r =
      frontend::protectedResponse(test::protectedRequest(std::nullopt, "/p\xc3?x=1"), allow, "fe01");
  CHECK(r.status == 200);
  CHECK(r.body ==
        "{\"node\":\"fe01\",\"user\":\"a\\\"b\\\\c\\n\\u0001\",\"groups\":[\"G\xef\xbf\xbd\","
        "\"\xc3\xa9quipe\"],"
        "\"mechanism\":\"ntlm\",\"path\":\"/p\xef\xbf\xbd\",\"persisted\":true}\n");
  CHECK(frontend::requestPath("/a/b?x=1#f") == "/a/b");
}
