#include <catch2/catch.hpp>

#include "client/principal.hpp"

using namespace kerbpool;
using client::parseServicePrincipal;
using client::parseUserPrincipal;
using core::iana::NameType;

TEST_CASE("client principals: users and services get the name types MIT sends", "[client]") {
  auto alice = parseUserPrincipal("alice", "KERBPOOL.TEST");
  REQUIRE(alice.ok());
  CHECK(alice->name.nameType == NameType::KRB_NT_PRINCIPAL);
  CHECK(alice->realm == "KERBPOOL.TEST");
  CHECK(alice->text() == "alice@KERBPOOL.TEST");

  auto http = parseServicePrincipal("HTTP/pool.kerbpool.test", "KERBPOOL.TEST");
  REQUIRE(http.ok());
  CHECK(http->name.nameType == NameType::KRB_NT_SRV_HST);
  CHECK(http->name.nameString == std::vector<std::string>{"HTTP", "pool.kerbpool.test"});

  auto tgs = parseServicePrincipal("krbtgt/OTHER.TEST@OTHER.TEST", "KERBPOOL.TEST");
  REQUIRE(tgs.ok());
  CHECK(tgs->name.nameType == NameType::KRB_NT_SRV_INST);
  CHECK(tgs->realm == "OTHER.TEST");
  CHECK(client::isTgsPrincipal(tgs->name));

  auto bad = parseUserPrincipal("", "KERBPOOL.TEST");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category == core::ErrorCategory::Decoding);
}

TEST_CASE("client principals: Kerberos timestamps split seconds and microseconds", "[client]") {
  const auto t = core::fromUnixSeconds(1700000000) + core::Micros(123456);
  const auto ts = client::toKerberosTimestamp(t);
  CHECK(ts.seconds == 1700000000);
  CHECK(ts.micros == 123456);
  CHECK(client::fromKerberosTimestamp(ts.seconds, ts.micros) == t);
  const auto before = client::toKerberosTimestamp(core::TimePoint(core::Micros(-1)));
  CHECK(before.seconds == -1);
  CHECK(before.micros == 999999);
}
