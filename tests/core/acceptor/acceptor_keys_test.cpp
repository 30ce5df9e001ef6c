#include <catch2/catch.hpp>

#include "core/acceptor/acceptor_error.hpp"
#include "core/acceptor/acceptor_keys.hpp"
#include "core/keytab/keytab.hpp"
#include "tests/core/acceptor/test_kdc.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::acceptor;
using kerbpool::test::makeKey;

namespace {

AcceptorKeys fe02Keys() {
  AcceptorKeys keys;
  keys.add({{"HOST/fe02.contoso.test", "HTTP/fe02.contoso.test"}, "CONTOSO.TEST", 5, makeKey(18, 1)});
  return keys;
}

AcceptorKeys poolKeys() {
  AcceptorKeys keys;
  keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 2, makeKey(18, 2)});
  keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 3, makeKey(18, 3)});
  keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 3, makeKey(17, 4)});
  keys.add({{"HOST/fe01.contoso.test"}, "CONTOSO.TEST", 1, makeKey(18, 5)});
  return keys;
}

}  // namespace

TEST_CASE("acceptor keys: lookup by SPN realm kvno and enctype ignores case", "[acceptor][keys]") {
  const AcceptorKeys keys = poolKeys();
  auto r = keys.find({"http/POOL.contoso.test", "contoso.test", 3u, 18});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK(r->front()->kvno == 3);
  CHECK(r->front()->key.enctype == 18);

  auto aes128 = keys.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", 3u, 17});
  REQUIRE(aes128.ok());
  CHECK(aes128->front()->key.enctype == 17);
}

TEST_CASE("acceptor keys: a ticket without kvno tries every key of that SPN highest kvno first",
          "[acceptor][keys]") {
  const AcceptorKeys keys = poolKeys();  // the result points into it
  auto r = keys.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", std::nullopt, 18});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0]->kvno == 3);
  CHECK((*r)[1]->kvno == 2);
}

TEST_CASE("acceptor keys: no key for the SPN lists what the node holds", "[acceptor][keys]") {
  auto r = fe02Keys().find({"HTTP/pool.contoso.test", "CONTOSO.TEST", 3u, 18});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "no_key_for_spn");
  CHECK(r.error().category == ErrorCategory::NotFound);
  CHECK(r.error().detail ==
        "no key for HTTP/pool.contoso.test (kvno 3, aes256-cts-hmac-sha1-96): this node holds keys for "
        "HOST/fe02.contoso.test, HTTP/fe02.contoso.test");

  SECTION("same SPN in another realm is another principal") {
    AcceptorKeys other;
    other.add({{"HTTP/pool.contoso.test"}, "FABRIKAM.TEST", 3, makeKey(18, 9)});
    auto r2 = other.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", 3u, 18});
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().code == "no_key_for_spn");
    CHECK(r2.error().detail.find("holds keys for HTTP/pool.contoso.test@FABRIKAM.TEST") != std::string::npos);
  }
  SECTION("empty node") {
    auto r3 = AcceptorKeys{}.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", std::nullopt, 18});
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().detail ==
          "no key for HTTP/pool.contoso.test (no kvno, aes256-cts-hmac-sha1-96): this node holds no keys");
  }
}

TEST_CASE("acceptor keys: old kvno and missing enctype are told apart", "[acceptor][keys]") {
  const AcceptorKeys keys = poolKeys();
  auto kvno = keys.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", 7u, 18});
  REQUIRE_FALSE(kvno.ok());
  CHECK(kvno.error().code == "no_key_for_kvno");
  CHECK(kvno.error().detail ==
        "no key for HTTP/pool.contoso.test with kvno 7 (aes256-cts-hmac-sha1-96): this node holds kvno 2, 3 "
        "for it");

  auto etype = keys.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", 2u, 17});
  REQUIRE_FALSE(etype.ok());
  CHECK(etype.error().code == "no_key_for_enctype");
  CHECK(etype.error().detail ==
        "no aes128-cts-hmac-sha1-96 key for HTTP/pool.contoso.test (kvno 2): this node holds it only as "
        "aes256-cts-hmac-sha1-96");

  auto rc4 = keys.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", std::nullopt, 23});
  REQUIRE_FALSE(rc4.ok());
  CHECK(rc4.error().code == "no_key_for_enctype");
  CHECK(rc4.error().detail.find("no arcfour-hmac key") == 0);

  CHECK(keys.kvnosFor("http/pool.contoso.test", "CONTOSO.TEST") == std::vector<std::uint32_t>{2, 3});
}

TEST_CASE("acceptor keys: built from the capture keytab", "[acceptor][keys]") {
  auto kt =
      keytab::Keytab::readFile(kerbpool::test::referenceDir() / "captures" / "mit-kinit-kvno-curl.keytab");
  REQUIRE(kt.ok());
  const AcceptorKeys keys = AcceptorKeys::fromKeytab(*kt);
  CHECK(keys.size() == kt->size());
  CHECK(keys.heldNames("CONTOSO.TEST") ==
        std::vector<std::string>{"HTTP/pool.contoso.test", "alice", "krbtgt/CONTOSO.TEST"});
  auto r = keys.find({"HTTP/pool.contoso.test", "CONTOSO.TEST", 2u, 18});
  REQUIRE(r.ok());
  CHECK(r->front()->key.value.size() == 32);
}

TEST_CASE("acceptor error codes map to Kerberos error codes", "[acceptor][errors]") {
  using iana::ErrorCode;
  CHECK(krbErrorCodeFor("no_key_for_spn") == ErrorCode::KRB_AP_ERR_NOKEY);
  CHECK(krbErrorCodeFor("no_key_for_kvno") == ErrorCode::KRB_AP_ERR_BADKEYVER);
  CHECK(krbErrorCodeFor("no_key_for_enctype") == ErrorCode::KRB_AP_ERR_NOKEY);
  CHECK(krbErrorCodeFor("bad_integrity") == ErrorCode::KRB_AP_ERR_BAD_INTEGRITY);
  CHECK(krbErrorCodeFor("client_mismatch") == ErrorCode::KRB_AP_ERR_BADMATCH);
  CHECK(krbErrorCodeFor("clock_skew") == ErrorCode::KRB_AP_ERR_SKEW);
  CHECK(krbErrorCodeFor("ticket_expired") == ErrorCode::KRB_AP_ERR_TKT_EXPIRED);
  CHECK(krbErrorCodeFor("ticket_not_yet_valid") == ErrorCode::KRB_AP_ERR_TKT_NYV);
  CHECK(krbErrorCodeFor("replay") == ErrorCode::KRB_AP_ERR_REPEAT);
  CHECK(krbErrorCodeFor("bad_gss_checksum") == ErrorCode::KRB_AP_ERR_MODIFIED);
  CHECK(krbErrorCodeFor("replay_cache_full") == ErrorCode::KRB_ERR_GENERIC);
  CHECK(krbErrorCodeFor("malformed_token") == ErrorCode::KRB_ERR_GENERIC);
  CHECK(krbErrorCodeFor("something_else") == ErrorCode::KRB_ERR_GENERIC);
  for (std::string_view code : allCodes()) {
    const Error e = acceptorError(code, "x");
    CHECK(e.code == code);
    CHECK(e.category == categoryFor(code));
  }

  const Error skew = acceptorError("clock_skew", "alice is 360 s behind");
  const auto krbError =
      makeKrbError(skew, fromUnixSeconds(kerbpool::test::kTestEpoch) + Micros(42), "CONTOSO.TEST",
                   messages::PrincipalName{iana::NameType::KRB_NT_SRV_HST, {"HTTP", "pool"}});
  CHECK(krbError.errorCode == ErrorCode::KRB_AP_ERR_SKEW);
  CHECK(krbError.stime == kerbpool::test::kTestEpoch);
  CHECK(krbError.susec == 42);
  CHECK(krbError.eText == std::string("Clock skew too great"));
}
