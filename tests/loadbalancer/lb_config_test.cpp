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
