// The scenario's DNS zone: A and CNAME records, case, chains, loops and the typed errors.
#include "client/dns.hpp"

#include <catch2/catch.hpp>

using namespace kerbpool;
using client::DnsZone;

namespace {

void ok(const core::Status& s) {
  INFO((s.ok() ? std::string() : s.error().message()));
  REQUIRE(s.ok());
}

}  // namespace

TEST_CASE("dns: A records and CNAME chains resolve case-insensitively", "[client][dns]") {
  DnsZone zone;
  ok(zone.addA("lb01.contoso.test", "127.0.0.1"));
  ok(zone.addA("fe01.Contoso.Test.", "127.0.0.2"));
  ok(zone.addCname("pool.contoso.test", "LB01.contoso.test"));
  ok(zone.addCname("www.contoso.test", "pool.contoso.test."));

  auto direct = zone.resolve("FE01.CONTOSO.TEST");
  REQUIRE(direct.ok());
  CHECK(direct->canonicalName == "fe01.contoso.test");
  CHECK(direct->address == "127.0.0.2");
  CHECK(direct->cnameChain.empty());

  auto one = zone.resolve("Pool.Contoso.Test");
  REQUIRE(one.ok());
  CHECK(one->canonicalName == "lb01.contoso.test");
  CHECK(one->address == "127.0.0.1");
  CHECK(one->cnameChain == std::vector<std::string>{"pool.contoso.test"});

  auto two = zone.resolve("www.contoso.test.");
  REQUIRE(two.ok());
  CHECK(two->canonicalName == "lb01.contoso.test");
  CHECK(two->cnameChain == std::vector<std::string>{"www.contoso.test", "pool.contoso.test"});

  // An address literal resolves to itself.
  auto literal = zone.resolve("127.0.0.9");
  REQUIRE(literal.ok());
  CHECK(literal->address == "127.0.0.9");
  CHECK(zone.resolve("::1")->address == "::1");

  // A record replaces the name's previous one: the pool gets its own A record.
  ok(zone.addA("pool.contoso.test", "127.0.0.3"));
  auto fixed = zone.resolve("pool.contoso.test");
  REQUIRE(fixed.ok());
  CHECK(fixed->canonicalName == "pool.contoso.test");
  CHECK(fixed->cnameChain.empty());
  CHECK(zone.remove("POOL.contoso.test"));
  CHECK_FALSE(zone.remove("pool.contoso.test"));
  CHECK(zone.resolve("pool.contoso.test").error().code == "nxdomain");
}

TEST_CASE("dns: loops and long chains and dangling names are typed errors", "[client][dns]") {
  DnsZone zone(client::DnsZoneOptions{3});
  ok(zone.addCname("a.test", "b.test"));
  ok(zone.addCname("b.test", "a.test"));
  auto loop = zone.resolve("a.test");
  REQUIRE_FALSE(loop.ok());
  CHECK(loop.error().code == "cname_loop");
  CHECK(loop.error().category == core::ErrorCategory::Protocol);

  ok(zone.addCname("c1.test", "c2.test"));
  ok(zone.addCname("c2.test", "c3.test"));
  ok(zone.addCname("c3.test", "c4.test"));
  ok(zone.addCname("c4.test", "c5.test"));
  ok(zone.addA("c5.test", "127.0.0.1"));
  CHECK(zone.resolve("c2.test").ok());  // three CNAMEs: at the limit
  CHECK(zone.resolve("c1.test").error().code == "cname_chain_too_long");

  ok(zone.addCname("dangling.test", "nowhere.test"));
  auto dangling = zone.resolve("dangling.test");
  CHECK(dangling.error().code == "nxdomain");
  CHECK(dangling.error().category == core::ErrorCategory::NotFound);
  CHECK(dangling.error().detail == "no record for nowhere.test (CNAME target of dangling.test)");
  CHECK(zone.resolve("unknown.test").error().detail == "no record for unknown.test");
  CHECK(zone.resolve("bad name").error().code == "bad_dns_name");
}

TEST_CASE("dns: records with bad names or addresses are refused", "[client][dns]") {
  DnsZone zone;
  for (const char* name : {"", ".", "a..b", "-a.test", "a-.test", "sp ace.test", "x/y.test"}) {
    INFO(name);
    CHECK(zone.addA(name, "127.0.0.1").error().code == "bad_dns_name");
  }
  CHECK(zone.addA(std::string(64, 'a') + ".test", "127.0.0.1").error().code == "bad_dns_name");
  CHECK(zone.addA(std::string(63, 'a') + ".test", "127.0.0.1").ok());
  for (const char* address : {"", "256.0.0.1", "127.0.0", "localhost", "1.2.3.4.5", "[::1]"}) {
    INFO(address);
    CHECK(zone.addA("x.test", address).error().code == "bad_address");
  }
  CHECK(zone.addCname("self.test", "SELF.test.").error().code == "cname_to_self");
  CHECK(zone.addCname("a.test", "b..test").error().code == "bad_dns_name");
  CHECK(client::normalizeDnsName("Pool.Contoso.TEST.") == "pool.contoso.test");
  CHECK(client::normalizeDnsName("a b").empty());
}
