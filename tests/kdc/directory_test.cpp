#include <catch2/catch.hpp>

#include <thread>

#include "core/crypto/enctype.hpp"
#include "kdc/directory.hpp"
#include "tests/kdc/pool_fixture.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::PoolFixture;

namespace {

core::crypto::Key s2k(std::int32_t enctype, const std::string& password, const std::string& salt) {
  auto k = core::crypto::stringToKey(enctype, password, salt);
  REQUIRE(k.ok());
  return *k;
}

}  // namespace

TEST_CASE("directory: realm upper case, DNS domain and base DN lower case", "[kdc][directory]") {
  PoolFixture f;
  CHECK(f.dir.realm() == "CONTOSO.TEST");
  CHECK(f.dir.dnsDomain() == "contoso.test");
  CHECK(f.dir.baseDn() == "DC=contoso,DC=test");
}

TEST_CASE("directory: keys derive from the password with the AD salt of the object class",
          "[kdc][directory]") {
  PoolFixture f;
  auto alice = f.dir.account("alice");
  REQUIRE(alice);
  CHECK(alice->salt == "CONTOSO.TESTalice");
  CHECK(alice->distinguishedName == "CN=alice,CN=Users,DC=contoso,DC=test");
  auto fe01 = f.dir.account("FE01$");
  REQUIRE(fe01);
  CHECK(fe01->salt == "CONTOSO.TESThostfe01.contoso.test");
  CHECK(fe01->distinguishedName == "CN=FE01,CN=Computers,DC=contoso,DC=test");
  auto svc = f.dir.account("POOLKERB$");
  REQUIRE(svc);
  CHECK(svc->objectClass == ObjectClass::Computer);
  CHECK(svc->salt == "CONTOSO.TESThostpoolkerb.contoso.test");

  for (std::int32_t e : {18, 17, 23}) {
    INFO("enctype " << e);
    REQUIRE(alice->currentKeys()->keyFor(e) != nullptr);
    CHECK(alice->currentKeys()->keyFor(e)->value ==
          s2k(e, "Passw0rd!", core::crypto::adUserSalt("CONTOSO.TEST", "alice")).value);
    CHECK(fe01->currentKeys()->keyFor(e)->value ==
          s2k(e, "FE01$-machine-password", core::crypto::adComputerSalt("CONTOSO.TEST", "FE01$")).value);
    CHECK(svc->currentKeys()->keyFor(e)->value ==
          s2k(e, "pool-shared-password-1", core::crypto::adComputerSalt("CONTOSO.TEST", "POOLKERB$")).value);
  }
  // The AES keys really depend on the salt: the same password as a user object gives other keys.
  CHECK(svc->currentKeys()->keyFor(18)->value !=
        s2k(18, "pool-shared-password-1", core::crypto::adUserSalt("CONTOSO.TEST", "POOLKERB$")).value);
}

TEST_CASE("directory: a service account stored as a user object takes the user salt", "[kdc][directory]") {
  PoolFixture f;
  AccountSpec spec;
  spec.samAccountName = "svc-pool";
  spec.kind = AccountKind::ServiceAccount;
  spec.serviceObjectClass = ObjectClass::User;
  PoolFixture::ok(f.dir.addAccount(spec));
  PoolFixture::take(f.dir.setPassword("svc-pool", "S3rvice!"));
  auto a = f.dir.account("SVC-POOL");
  REQUIRE(a);
  CHECK(a->salt == "CONTOSO.TESTsvc-pool");
  CHECK(a->distinguishedName == "CN=svc-pool,CN=Users,DC=contoso,DC=test");
  CHECK(a->currentKeys()->keyFor(17)->value == s2k(17, "S3rvice!", "CONTOSO.TESTsvc-pool").value);
}

TEST_CASE("directory: every password set increments the kvno and keeps the history", "[kdc][directory]") {
  PoolFixture f;
  CHECK(f.dir.account("POOLKERB$")->keyVersionNumber == 1);
  CHECK(PoolFixture::take(f.dir.setPassword("POOLKERB$", "pool-shared-password-2")) == 2);
  CHECK(PoolFixture::take(f.dir.setPassword("poolkerb$", "pool-shared-password-3")) == 3);
  auto svc = f.dir.account("POOLKERB$");
  REQUIRE(svc->keyHistory.size() == 3);
  CHECK(svc->keyVersionNumber == 3);
  CHECK(svc->currentKeys()->kvno == 3);
  std::string salt = core::crypto::adComputerSalt("CONTOSO.TEST", "POOLKERB$");
  for (std::uint32_t kvno = 1; kvno <= 3; ++kvno) {
    auto k = f.dir.key("POOLKERB$", kvno, 18);
    REQUIRE(k.ok());
    CHECK(k->value == s2k(18, "pool-shared-password-" + std::to_string(kvno), salt).value);
  }
  auto missing = f.dir.key("POOLKERB$", 4, 18);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "no_such_kvno");
  CHECK(krbErrorCode(missing.error()) == 44);
  // A new account has kvno 0 and no keys until its first password set, which gives kvno 1.
  AccountSpec bob;
  bob.samAccountName = "bob";
  PoolFixture::ok(f.dir.addAccount(bob));
  CHECK(f.dir.account("bob")->keyVersionNumber == 0);
  CHECK(f.dir.account("bob")->currentKeys() == nullptr);
  CHECK(PoolFixture::take(f.dir.setPassword("bob", "B0bPassword")) == 1);
}

TEST_CASE("directory: krbtgt exists, disabled, with its own kvno", "[kdc][directory]") {
  PoolFixture f;
  auto krbtgt = f.dir.account("KRBTGT");
  REQUIRE(krbtgt);
  CHECK_FALSE(krbtgt->enabled);
  CHECK(krbtgt->keyVersionNumber == 1);
  CHECK(PoolFixture::take(f.dir.setKrbtgtPassword("krbtgt-secret-2")) == 2);
  CHECK(f.dir.key("krbtgt", 1, 18).ok());
  CHECK(f.dir.key("krbtgt", 2, 18)->value == s2k(18, "krbtgt-secret-2", "CONTOSO.TESTkrbtgt").value);
  CHECK_FALSE(f.dir.removeAccount("krbtgt").ok());
}

TEST_CASE("directory: account names are unique without regard to case, and bad names refused",
          "[kdc][directory]") {
  PoolFixture f;
  AccountSpec dup;
  dup.samAccountName = "ALICE";
  auto s = f.dir.addAccount(dup);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == "account_exists");

  AccountSpec upn;
  upn.samAccountName = "alice2";
  upn.userPrincipalName = "ALICE@contoso.test";
  s = f.dir.addAccount(upn);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == "upn_exists");

  AccountSpec noDollar;
  noDollar.samAccountName = "FE04";
  noDollar.kind = AccountKind::Computer;
  noDollar.dnsHostName = "fe04.contoso.test";
  CHECK(f.dir.addAccount(noDollar).error().code == "bad_account");

  AccountSpec noHost;
  noHost.samAccountName = "FE04$";
  noHost.kind = AccountKind::Computer;
  CHECK(f.dir.addAccount(noHost).error().code == "bad_account");

  for (const char* bad : {"", "a b", "x@y", "a/b", "waytoolongaccountname1"}) {
    AccountSpec spec;
    spec.samAccountName = bad;
    INFO(bad);
    CHECK(f.dir.addAccount(spec).error().code == "bad_account");
  }
  AccountSpec badSite;
  badSite.samAccountName = "FE09$";
  badSite.kind = AccountKind::Computer;
  badSite.dnsHostName = "fe09.contoso.test";
  badSite.site = "Site9";
  CHECK(f.dir.addAccount(badSite).error().code == "no_such_site");
  CHECK(f.dir.setPassword("nobody", "x").error().code == "no_such_account");
}

TEST_CASE("directory: attributes: enabled, enctypes, groups", "[kdc][directory]") {
  PoolFixture f;
  auto alice = f.dir.account("alice");
  CHECK(alice->userPrincipalName == "alice@contoso.test");
  CHECK(alice->memberOf == std::vector<std::string>{"Domain Users", "Pool Users"});
  // No msDS-SupportedEncryptionTypes of her own: the domain default (AES only) applies.
  CHECK(alice->supportedEncryptionTypes == supported_enctypes::kNotSet);
  CHECK(f.dir.effectiveEncryptionTypes(*alice) == 0x18);
  f.dir.setDefaultDomainSupportedEncTypes(0x27);
  CHECK(f.dir.effectiveEncryptionTypes(*alice) == 0x27);
  CHECK(f.dir.effectiveEncryptionTypes(*f.dir.account("krbtgt")) == 0x18);  // krbtgt has its own
  PoolFixture::ok(f.dir.setEnabled("alice", false));
  PoolFixture::ok(f.dir.setSupportedEncryptionTypes("alice", 0x1C));
  PoolFixture::ok(f.dir.addToGroup("alice", "Helpdesk"));
  PoolFixture::ok(f.dir.addToGroup("alice", "helpdesk"));
  alice = f.dir.account("alice");
  CHECK_FALSE(alice->enabled);
  CHECK(alice->supportedEncryptionTypes == 0x1C);
  CHECK(f.dir.effectiveEncryptionTypes(*alice) == 0x1C);
  CHECK(alice->memberOf.size() == 3);
  CHECK(enctypesInMask(0x1C) == std::vector<std::int32_t>{18, 17, 23});
  CHECK(enctypesInMask(0x4) == std::vector<std::int32_t>{23});
  CHECK(f.dir.accountNames() ==
        std::vector<std::string>{"alice", "FE01$", "FE02$", "FE03$", "krbtgt", "POOLKERB$"});
}

TEST_CASE("directory: concurrent resolutions while the shared password rolls", "[kdc][directory]") {
  PoolFixture f;
  PoolFixture::take(f.dir.addSpn("POOLKERB$", "HTTP/pool.contoso.test"));
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = f.dir.resolveService({"HTTP", "pool.contoso.test"}, {18});
        if (!r.ok() || r->samAccountName != "POOLKERB$" || r->key.value.size() != 32) {
          ++failures;
        }
      }
    });
  }
  for (int i = 2; i <= 6; ++i) {
    PoolFixture::take(f.dir.setPassword("POOLKERB$", "roll-" + std::to_string(i)));
  }
  for (auto& t : readers) {
    t.join();
  }
  CHECK(failures == 0);
  CHECK(f.dir.account("POOLKERB$")->keyVersionNumber == 6);
}
