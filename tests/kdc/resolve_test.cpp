#include <catch2/catch.hpp>

#include "kdc/directory.hpp"
#include "tests/kdc/pool_fixture.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::names;
using kerbpool::kdc::pooltest::PoolFixture;

TEST_CASE("resolveService: the unique holder of the pool SPN, its current key and kvno", "[kdc][resolve]") {
  PoolFixture f;
  PoolFixture::take(f.dir.addSpnChecked("POOLKERB$", "HTTP/pool.contoso.test"));
  PoolFixture::take(f.dir.setPassword("POOLKERB$", "pool-shared-password-2"));
  auto r = PoolFixture::take(f.dir.resolveService(names("HTTP/pool.contoso.test"), {23, 17, 18}));
  CHECK(r.samAccountName == "POOLKERB$");
  CHECK(r.form == MatchForm::ServicePrincipalName);
  CHECK(r.matchedName == "HTTP/pool.contoso.test");
  CHECK(r.kvno == 2);
  CHECK(r.salt == "CONTOSO.TESThostpoolkerb.contoso.test");
  // rc4-hmac is first in the request but not in msDS-SupportedEncryptionTypes (aes only): aes128 wins.
  CHECK(r.key.enctype == 17);
  CHECK(r.key.value == f.dir.key("POOLKERB$", 2, 17)->value);
  REQUIRE(r.keys.size() == 2);
  CHECK(r.keys[0].enctype == 18);
  CHECK(r.keys[1].enctype == 17);
  // No list: the strongest supported.
  CHECK(PoolFixture::take(f.dir.resolveService(names("HTTP/pool.contoso.test"))).key.enctype == 18);
  CHECK(f.events.count(event_id::kDuplicateName) == 0);
}

TEST_CASE("resolveService: matching ignores case", "[kdc][resolve]") {
  PoolFixture f;
  PoolFixture::take(f.dir.addSpn("POOLKERB$", "HTTP/pool.contoso.test"));
  for (const char* spelling : {"http/POOL.CONTOSO.TEST", "Http/Pool.Contoso.Test"}) {
    INFO(spelling);
    auto r = PoolFixture::take(f.dir.resolveService(names(spelling)));
    CHECK(r.samAccountName == "POOLKERB$");
    CHECK(r.matchedName == "HTTP/pool.contoso.test");
  }
  CHECK(PoolFixture::take(f.dir.resolveService({"KRBTGT", "contoso.test"})).form == MatchForm::Krbtgt);
  CHECK(PoolFixture::take(f.dir.resolveService({"ALICE"})).samAccountName == "alice");
}

TEST_CASE("resolveService: a duplicate SPN fails with S_PRINCIPAL_UNKNOWN and logs event 11",
          "[kdc][resolve]") {
  PoolFixture f;
  for (const char* node : {"FE01$", "FE02$", "FE03$"}) {
    PoolFixture::take(f.dir.addSpn(node, "HTTP/pool.contoso.test"));
  }
  f.clock.advance(std::chrono::seconds(30));
  auto r = f.dir.resolveService(names("HTTP/pool.contoso.test"), {18});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "duplicate_spn");
  CHECK(krbErrorCode(r.error()) == 7);
  CHECK(r.error().detail.find("FE01$, FE02$, FE03$") != std::string::npos);
  auto events = f.events.query(event_id::kDuplicateName);
  REQUIRE(events.size() == 1);
  const auto& e = events[0];
  // A DC of 2008 or later (the default): the newer source and wording.
  CHECK(e.source == "Microsoft-Windows-Kerberos-Key-Distribution-Center");
  CHECK(e.time == core::fromUnixSeconds(1700000030));
  CHECK(
      e.message ==
      "The KDC encountered duplicate names while processing a Kerberos authentication request. The duplicate "
      "name is HTTP/pool.contoso.test (of type DS_SERVICE_PRINCIPAL_NAME). This may result in authentication "
      "failures or downgrades to NTLM. In order to prevent this from occuring remove the duplicate entries "
      "for "
      "HTTP/pool.contoso.test in Active Directory.");
  CHECK(e.fields.at("Name") == "HTTP/pool.contoso.test");
  CHECK(e.fields.at("Type") == "DS_SERVICE_PRINCIPAL_NAME");
  CHECK(e.fields.at("Accounts") == "FE01$, FE02$, FE03$");
  CHECK(e.fields.at("AccountDNs") ==
        "CN=FE01,CN=Computers,DC=contoso,DC=test, CN=FE02,CN=Computers,DC=contoso,DC=test, "
        "CN=FE03,CN=Computers,DC=contoso,DC=test");
  // Each failing request logs again; removing the duplicates repairs resolution.
  CHECK_FALSE(f.dir.resolveService(names("http/pool.contoso.test")).ok());
  CHECK(f.events.count(event_id::kDuplicateName) == 2);
  PoolFixture::take(f.dir.deleteSpn("FE02$", "HTTP/pool.contoso.test"));
  PoolFixture::take(f.dir.deleteSpn("FE03$", "HTTP/pool.contoso.test"));
  CHECK(PoolFixture::take(f.dir.resolveService(names("HTTP/pool.contoso.test"))).samAccountName == "FE01$");
}

TEST_CASE("resolveService: HTTP/<node> resolves through the HOST alias", "[kdc][resolve]") {
  PoolFixture f;
  auto r = PoolFixture::take(f.dir.resolveService(names("HTTP/fe01.contoso.test"), {18}));
  CHECK(r.samAccountName == "FE01$");
  CHECK(r.form == MatchForm::HostAlias);
  CHECK(r.matchedName == "HOST/fe01.contoso.test");
  CHECK(r.key.value == f.dir.key("FE01$", 1, 18)->value);
  CHECK(PoolFixture::take(f.dir.resolveService(names("cifs/FE02"))).samAccountName == "FE02$");
  // An explicit HTTP SPN wins over the alias.
  PoolFixture::take(f.dir.addSpn("POOLKERB$", "HTTP/fe01.contoso.test"));
  CHECK(PoolFixture::take(f.dir.resolveService(names("HTTP/fe01.contoso.test"))).samAccountName ==
        "POOLKERB$");
}

TEST_CASE("resolveService: the alias lookup has the duplicate rule too", "[kdc][resolve]") {
  PoolFixture f;
  PoolFixture::take(f.dir.addSpn("FE02$", "HOST/fe01.contoso.test"));
  auto r = f.dir.resolveService(names("HTTP/fe01.contoso.test"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "duplicate_spn");
  CHECK(krbErrorCode(r.error()) == 7);
  auto events = f.events.query(event_id::kDuplicateName);
  REQUIRE(events.size() == 1);
  CHECK(events[0].fields.at("Name") == "host/fe01.contoso.test");  // the name the KDC looked up
  CHECK(events[0].fields.at("Accounts") == "FE01$, FE02$");
}

TEST_CASE("resolveService: no holder -> S_PRINCIPAL_UNKNOWN with a reason", "[kdc][resolve]") {
  PoolFixture f;
  auto pool = f.dir.resolveService(names("HTTP/pool.contoso.test"));
  REQUIRE_FALSE(pool.ok());
  CHECK(pool.error().code == "service_principal_unknown");
  CHECK(krbErrorCode(pool.error()) == 7);
  CHECK(pool.error().detail ==
        "no account holds HTTP/pool.contoso.test nor its sPNMappings alias host/pool.contoso.test");
  auto sql = f.dir.resolveService(names("MSSQLSvc/fe01.contoso.test:1433"));
  REQUIRE_FALSE(sql.ok());
  CHECK(sql.error().detail.find("no sPNMappings alias") != std::string::npos);
  CHECK_FALSE(f.dir.resolveService({"krbtgt", "FABRIKAM.TEST"}).ok());
  CHECK_FALSE(f.dir.resolveService({}).ok());
  CHECK(f.dir.resolveService({"carol"}).error().code == "service_principal_unknown");
  // Without the http alias in sPNMappings, HTTP/<node> no longer resolves.
  auto mappings = SpnMappings::activeDirectoryDefault();
  mappings.removeAlias("http");
  f.dir.setSpnMappings(mappings);
  CHECK(f.dir.resolveService(names("HTTP/fe01.contoso.test")).error().code == "service_principal_unknown");
  CHECK(f.events.count(event_id::kDuplicateName) == 0);
}

TEST_CASE("resolveService: krbtgt, user principals and enctype negotiation", "[kdc][resolve]") {
  PoolFixture f;
  auto tgs = PoolFixture::take(f.dir.resolveService({"krbtgt", "CONTOSO.TEST"}, {17}));
  CHECK(tgs.samAccountName == "krbtgt");
  CHECK(tgs.matchedName == "krbtgt/CONTOSO.TEST");
  CHECK(tgs.kvno == 1);
  CHECK(tgs.key.enctype == 17);
  CHECK(PoolFixture::take(f.dir.resolveService({"alice@CONTOSO.TEST"})).form == MatchForm::UserPrincipalName);
  auto none = f.dir.resolveService(names("HTTP/fe01.contoso.test"), {23});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "no_common_enctype");
  CHECK(krbErrorCode(none.error()) == 14);
  PoolFixture::ok(f.dir.setSupportedEncryptionTypes("FE01$", 0x1C));
  CHECK(PoolFixture::take(f.dir.resolveService(names("HTTP/fe01.contoso.test"), {23})).key.enctype == 23);
  AccountSpec carol;
  carol.samAccountName = "carol";
  PoolFixture::ok(f.dir.addAccount(carol));
  auto nokeys = f.dir.resolveService({"carol"});
  REQUIRE_FALSE(nokeys.ok());
  CHECK(nokeys.error().code == "account_has_no_keys");
}

TEST_CASE("lookupClient: sAMAccountName, UPN, implicit UPN, SPN, and unknown -> C_PRINCIPAL_UNKNOWN",
          "[kdc][resolve]") {
  PoolFixture f;
  auto alice = PoolFixture::take(f.dir.lookupClient({"ALICE"}, {18, 17}));
  CHECK(alice.samAccountName == "alice");
  CHECK(alice.form == MatchForm::SamAccountName);
  CHECK(alice.salt == "CONTOSO.TESTalice");
  CHECK(alice.key.enctype == 18);
  CHECK(alice.memberOf == std::vector<std::string>{"Domain Users", "Pool Users"});
  // As a client any key the account has will do: rc4-hmac although msDS-SupportedEncryptionTypes is aes only.
  CHECK(PoolFixture::take(f.dir.lookupClient({"alice"}, {23})).key.enctype == 23);
  CHECK(PoolFixture::take(f.dir.lookupClient({"Alice@Contoso.Test"})).form == MatchForm::UserPrincipalName);
  CHECK(PoolFixture::take(f.dir.lookupClient({"FE01$@contoso.test"})).samAccountName == "FE01$");
  auto host = PoolFixture::take(f.dir.lookupClient(names("host/fe02.contoso.test")));
  CHECK(host.samAccountName == "FE02$");
  for (const auto& unknown : std::vector<std::vector<std::string>>{
           {"carol"}, {"carol@contoso.test"}, {"alice@fabrikam.test"}, {"HTTP", "pool.contoso.test"}, {}}) {
    auto r = f.dir.lookupClient(unknown);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "client_principal_unknown");
    CHECK(krbErrorCode(r.error()) == 6);
  }
}

TEST_CASE("resolveService: a Windows Server 2003 KDC words event 11 the old way", "[kdc][resolve]") {
  PoolFixture f;
  f.dir.setKdcEventWording(KdcEventWording::Windows2003);
  for (const char* node : {"FE01$", "FE02$"}) {
    PoolFixture::take(f.dir.addSpn(node, "HTTP/pool.contoso.test"));
  }
  REQUIRE_FALSE(f.dir.resolveService(names("HTTP/pool.contoso.test"), {18}).ok());
  auto events = f.events.query(event_id::kDuplicateName);
  REQUIRE(events.size() == 1);
  CHECK(events[0].source == "KDC");
  CHECK(events[0].message ==
        "There are multiple accounts with name HTTP/pool.contoso.test of type DS_SERVICE_PRINCIPAL_NAME.");
}
