#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "kdc/directory.hpp"
#include "tests/kdc/pool_fixture.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::names;
using kerbpool::kdc::pooltest::PoolFixture;

namespace {

std::set<std::uint32_t> kvnosOf(const std::vector<HeldKey>& held, const std::string& account) {
  std::set<std::uint32_t> out;
  for (const auto& k : held) {
    if (k.account == account) {
      out.insert(k.kvno);
    }
  }
  return out;
}

const HeldKey* find(const std::vector<HeldKey>& held, const std::string& account, std::uint32_t kvno,
                    std::int32_t enctype) {
  for (const auto& k : held) {
    if (k.account == account && k.kvno == kvno && k.key.enctype == enctype) {
      return &k;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("sites: nodes, Kerberos account assignment", "[kdc][sites]") {
  PoolFixture f;
  CHECK(f.dir.nodesOf("site1") == std::vector<std::string>{"FE01$", "FE02$", "FE03$"});
  auto site = f.dir.site("Site1");
  REQUIRE(site);
  CHECK(site->kerberosAccount == std::optional<std::string>("POOLKERB$"));
  CHECK(f.dir.addSite("SITE1").error().code == "site_exists");
  CHECK(f.dir.assignKerberosAccount("Site2", "POOLKERB$").error().code == "no_such_site");
  CHECK(f.dir.assignKerberosAccount("Site1", "NOBODY$").error().code == "no_such_account");
  PoolFixture::ok(f.dir.addSite("Site2"));
  PoolFixture::ok(f.dir.setSite("FE03$", "Site2"));
  CHECK(f.dir.nodesOf("Site1") == std::vector<std::string>{"FE01$", "FE02$"});
  CHECK(f.dir.nodesOf("Site2") == std::vector<std::string>{"FE03$"});
  CHECK(f.dir.deliverKeysToSite("Site2").error().message().find("no Kerberos account") != std::string::npos);
}

TEST_CASE("keysHeldBy: a node's own keys under its SPNs and their HTTP forms", "[kdc][sites]") {
  PoolFixture f;
  auto held = PoolFixture::take(f.dir.keysHeldBy("FE01$"));
  REQUIRE(held.size() == 3);  // kvno 1, three enctypes, nothing delivered yet
  for (const auto& k : held) {
    CHECK(k.account == "FE01$");
    CHECK(k.kvno == 1);
    CHECK(k.principalNames == std::vector<std::string>{"HOST/fe01.contoso.test", "HOST/fe01",
                                                       "HTTP/fe01.contoso.test", "HTTP/fe01", "FE01$"});
  }
  CHECK(find(held, "FE01$", 1, 18)->key.value == f.dir.key("FE01$", 1, 18)->value);
  // The machine keeps its current and previous password only.
  PoolFixture::take(f.dir.setPassword("FE01$", "m2"));
  PoolFixture::take(f.dir.setPassword("FE01$", "m3"));
  CHECK(kvnosOf(PoolFixture::take(f.dir.keysHeldBy("FE01$")), "FE01$") == std::set<std::uint32_t>{2, 3});
  CHECK(f.dir.keysHeldBy("alice").error().code == "not_a_computer");
  CHECK(f.dir.keysHeldBy("FE09$").error().code == "no_such_account");
}

TEST_CASE("key distribution: a password roll that reached only some nodes", "[kdc][sites]") {
  PoolFixture f;
  PoolFixture::take(f.dir.addSpnChecked("POOLKERB$", "HTTP/pool.contoso.test"));
  auto reached = PoolFixture::take(f.dir.deliverKeysToSite("Site1"));
  CHECK(reached == std::vector<std::string>{"FE01$", "FE02$", "FE03$"});

  // Roll: kvno 2 reaches FE01 and FE02; FE03 is offline.
  CHECK(PoolFixture::take(f.dir.setPassword("POOLKERB$", "pool-shared-password-2")) == 2);
  PoolFixture::ok(f.dir.deliverKeys("POOLKERB$", "FE01$"));
  PoolFixture::ok(f.dir.deliverKeys("poolkerb$", "fe02$"));

  auto issued = PoolFixture::take(f.dir.resolveService(names("HTTP/pool.contoso.test"), {18}));
  CHECK(issued.kvno == 2);
  for (const char* node : {"FE01$", "FE02$"}) {
    INFO(node);
    auto held = PoolFixture::take(f.dir.keysHeldBy(node));
    CHECK(kvnosOf(held, "POOLKERB$") == std::set<std::uint32_t>{1, 2});
    const HeldKey* k = find(held, "POOLKERB$", 2, 18);
    REQUIRE(k != nullptr);
    CHECK(k->key.value == issued.key.value);
    CHECK(k->principalNames == std::vector<std::string>{"HTTP/pool.contoso.test", "POOLKERB$"});
  }
  auto fe03 = PoolFixture::take(f.dir.keysHeldBy("FE03$"));
  CHECK(kvnosOf(fe03, "POOLKERB$") == std::set<std::uint32_t>{1});
  CHECK(find(fe03, "POOLKERB$", 2, 18) == nullptr);
  CHECK(f.dir.deliveredKvnos("POOLKERB$", "FE03$") == std::vector<std::uint32_t>{1});

  // FE03 comes back and catches up; delivering twice changes nothing.
  PoolFixture::ok(f.dir.deliverKeys("POOLKERB$", "FE03$"));
  PoolFixture::ok(f.dir.deliverKeys("POOLKERB$", "FE03$"));
  CHECK(f.dir.deliveredKvnos("POOLKERB$", "FE03$") == std::vector<std::uint32_t>{1, 2});
  CHECK(PoolFixture::take(f.dir.keysHeldBy("FE03$")).size() == 3 + 2 * 3);
}

TEST_CASE("key distribution: refused deliveries", "[kdc][sites]") {
  PoolFixture f;
  CHECK(f.dir.deliverKeys("POOLKERB$", "alice").error().code == "not_a_computer");
  CHECK(f.dir.deliverKeys("POOLKERB$", "FE09$").error().code == "no_such_account");
  CHECK(f.dir.deliverKeys("FE01$", "FE01$").error().code == "bad_account");
  AccountSpec fresh;
  fresh.samAccountName = "NEWPOOL$";
  fresh.kind = AccountKind::ServiceAccount;
  PoolFixture::ok(f.dir.addAccount(fresh));
  CHECK(f.dir.deliverKeys("NEWPOOL$", "FE01$").error().code == "account_has_no_keys");
  // Removing the shared account removes what the nodes held of it.
  PoolFixture::ok(f.dir.deliverKeys("POOLKERB$", "FE01$"));
  PoolFixture::ok(f.dir.removeAccount("POOLKERB$"));
  CHECK(kvnosOf(PoolFixture::take(f.dir.keysHeldBy("FE01$")), "POOLKERB$").empty());
  CHECK_FALSE(f.dir.site("Site1")->kerberosAccount.has_value());
}
