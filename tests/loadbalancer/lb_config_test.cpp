#include <catch2/catch.hpp>

#include "loadbalancer/forwarding_rules.hpp"
#include "loadbalancer/lb_config.hpp"

using namespace kerbpool::loadbalancer;

TEST_CASE("lb config: backend and listen specs parse or name what is wrong", "[loadbalancer]") {
  auto b = parseBackendSpec("fe01=127.0.0.1:9001");
  REQUIRE(b.ok());
  CHECK(b->name == "fe01");
  CHECK(b->host == "127.0.0.1");
  CHECK(b->port == 9001);
  auto v6 = parseHostPort("[::1]:0", true);
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  for (auto bad : {"fe01", "=127.0.0.1:1", "fe 01=127.0.0.1:1", "fe01=127.0.0.1", "fe01=127.0.0.1:0",
                   "fe01=127.0.0.1:70000", "fe01=:80", "fe01=::1:80"}) {
    auto r = parseBackendSpec(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == kerbpool::core::ErrorCategory::Config);
  }
  CHECK(parseMode("tcp").ok());
  CHECK(parseMode("udp").error().code == "bad_mode");
  CHECK(*parsePolicy("least-conn") == PolicyKind::LeastConnections);
  CHECK(*parseAffinity("source") == AffinityMode::SourceHash);
  CHECK(parseAffinity("ip").error().code == "bad_affinity");
  CHECK(*parseConnectionModel("per-request") == ConnectionModel::PerRequest);
  CHECK(*parseConnectionModel("haproxy") == ConnectionModel::Private);
  CHECK(*parseConnectionModel("server-close") == ConnectionModel::ServerClose);
  CHECK(parseConnectionModel("HAProxy").error().code == "bad_connection_model");
  for (auto m : {ConnectionModel::PerRequest, ConnectionModel::Private, ConnectionModel::ServerClose}) {
    CHECK(*parseConnectionModel(toString(m)) == m);
  }
}

TEST_CASE("lb config: validation refuses inconsistent settings", "[loadbalancer]") {
  LbConfig c;
  CHECK(validate(c).error().code == "no_backends");
  c.backends = {{"fe01", "127.0.0.1", 1}, {"fe01", "127.0.0.1", 2}};
  CHECK(validate(c).error().code == "duplicate_backend");
  c.backends[1].name = "fe02";
  REQUIRE(validate(c).ok());
  c.mode = LbMode::Tcp;
  c.tls = LbTlsFiles{"a.pem", "b.pem"};
  CHECK(validate(c).error().code == "tls_in_tcp_mode");
  c.tls.reset();
  c.connectionModel = ConnectionModel::Private;
  CHECK(validate(c).error().code == "connection_model_in_tcp_mode");
  c.connectionModel = ConnectionModel::PerRequest;
  c.affinity = AffinityMode::Cookie;
  CHECK(validate(c).error().code == "cookie_in_tcp_mode");
  c.mode = LbMode::Http;
  c.backendTls = true;
  CHECK(validate(c).error().code == "no_backend_ca");
  c.backendTls = false;
  c.health.fall = 0;
  CHECK(validate(c).error().code == "bad_health");
}

TEST_CASE("forwarding rules: hop-by-hop fields and X-Forwarded-For", "[loadbalancer]") {
  for (auto f :
       {"Connection", "keep-alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "UPGRADE"}) {
    CHECK(isHopByHopField(f));
  }
  for (auto f : {"Authorization", "WWW-Authenticate", "Cookie", "Host", "Content-Length"}) {
    CHECK_FALSE(isHopByHopField(f));
  }
  CHECK(connectionTokens(" close, X-Foo ,,keep-alive") ==
        std::vector<std::string>{"close", "X-Foo", "keep-alive"});
  CHECK(appendForwardedFor(std::nullopt, "10.0.0.1") == "10.0.0.1");
  CHECK(appendForwardedFor(std::string_view(" 192.0.2.1 "), "10.0.0.1") == "192.0.2.1, 10.0.0.1");
  CHECK(addressOf("127.0.0.1:5000") == "127.0.0.1");
  CHECK(addressOf("[::1]:5000") == "::1");
  CHECK(isIdempotentMethod("GET"));
  CHECK_FALSE(isIdempotentMethod("POST"));
}

TEST_CASE("forwarding rules: which answers make a node connection private, as HAProxy decides",
          "[loadbalancer]") {
  using V = std::vector<std::string_view>;
  CHECK(isConnectionAuthChallenge(401, V{"NTLM"}));
  CHECK(isConnectionAuthChallenge(401, V{"Negotiate"}));
  CHECK(
      isConnectionAuthChallenge(401, V{"Basic realm=\"x\"", " negotiate oRQwEqADCgEBoQsGCSqGSIb3EgECAg=="}));
  CHECK(isConnectionAuthChallenge(401, V{"NTLM TlRMTVNTUAACAAAA"}));
  CHECK(isConnectionAuthChallenge(407, V{"NTLM"}));
  CHECK(isConnectionAuthChallenge(401, V{"Nego2"}));
  CHECK_FALSE(isConnectionAuthChallenge(401, V{"Basic realm=\"x\""}));
  CHECK_FALSE(isConnectionAuthChallenge(401, V{"Bearer", "Digest realm=\"x\""}));
  CHECK_FALSE(isConnectionAuthChallenge(401, V{}));
  CHECK_FALSE(isConnectionAuthChallenge(401, V{"NTL"}));
  // A 200 carrying Negotiate's final token (mutual authentication) does not make it private.
  CHECK_FALSE(isConnectionAuthChallenge(200, V{"Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg=="}));
  CHECK_FALSE(isConnectionAuthChallenge(403, V{"NTLM"}));
}
