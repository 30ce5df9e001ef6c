#include "frontend/node_credentials.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/keytab/keytab.hpp"
#include "kdc/directory.hpp"
#include "tests/frontend/frontend_test_support.hpp"
#include "tests/kdc/pool_fixture.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;
using frontend::NodeCredentials;

namespace {

core::keytab::KeytabEntry entry(std::uint32_t kvno, std::uint64_t seed) {
  core::keytab::KeytabEntry e;
  e.components = {"HTTP", "pool.contoso.test"};
  e.realm = "CONTOSO.TEST";
  e.kvno = kvno;
  e.key = test::testKey(seed);
  return e;
}

}  // namespace

TEST_CASE("node credentials: a keytab file, reloaded after a roll", "[frontend][credentials]") {
  test::TempDir dir;
  const auto path = dir / "fe01.keytab";
  core::keytab::Keytab kt;
  kt.add(entry(1, 1));
  REQUIRE(kt.writeFile(path).ok());

  auto creds = NodeCredentials::fromKeytabFile(path);
  REQUIRE(creds.ok());
  auto before = (*creds)->current();
  CHECK(before->size() == 1);
  CHECK((*creds)->generation() == 1);
  CHECK_THAT((*creds)->description(), Catch::Contains("fe01.keytab"));

  kt.add(entry(2, 2));  // the password roll: kvno 2 added, kvno 1 kept
  REQUIRE(kt.writeFile(path).ok());
  REQUIRE((*creds)->reload().ok());
  auto after = (*creds)->current();
  CHECK(after->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") == std::vector<std::uint32_t>{1, 2});
  CHECK((*creds)->generation() == 2);
  // A request that took the old snapshot still holds it.
  CHECK(before->size() == 1);

  SECTION("a failed reload keeps the keys in force") {
    std::filesystem::remove(path);
    CHECK_FALSE((*creds)->reload().ok());
    CHECK((*creds)->current() == after);
    CHECK((*creds)->generation() == 2);
  }
}

TEST_CASE("node credentials: a missing, empty or corrupt keytab is an error", "[frontend][credentials]") {
  test::TempDir dir;
  CHECK_FALSE(NodeCredentials::fromKeytabFile(dir / "none.keytab").ok());
  core::keytab::Keytab empty;
  REQUIRE(empty.writeFile(dir / "empty.keytab").ok());
  auto e = NodeCredentials::fromKeytabFile(dir / "empty.keytab");
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == "empty_keytab");
  {
    std::FILE* f = std::fopen((dir / "junk.keytab").c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("not a keytab", f);
    std::fclose(f);
  }
  CHECK(NodeCredentials::fromKeytabFile(dir / "junk.keytab").error().category ==
        core::ErrorCategory::Decoding);
}

TEST_CASE("node credentials: the directory's delivered keys, every kvno retained",
          "[frontend][credentials]") {
  kdc::test::PoolFixture f;
  kdc::test::PoolFixture::take(f.dir.addSpn("POOLKERB$", "HTTP/pool.contoso.test"));
  kdc::test::PoolFixture::ok(f.dir.deliverKeys("POOLKERB$", "FE01$"));
  auto fe01 = NodeCredentials::fromDirectory(f.dir, "FE01$");
  REQUIRE(fe01.ok());
  auto fe02 = NodeCredentials::fromDirectory(f.dir, "FE02$");
  REQUIRE(fe02.ok());
  CHECK((*fe01)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{1});
  CHECK((*fe02)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST").empty());
  core::acceptor::KeyQuery q{"HTTP/pool.contoso.test", "CONTOSO.TEST", 1u, 18};
  CHECK((*fe01)->current()->find(q).ok());
  CHECK((*fe02)->current()->find(q).error().code == "no_key_for_spn");

  // A roll delivered to the whole site: after reload both nodes hold kvno 1 and 2.
  kdc::test::PoolFixture::take(f.dir.setPassword("POOLKERB$", "pool-shared-password-2"));
  kdc::test::PoolFixture::take(f.dir.deliverKeysToSite("Site1"));
  REQUIRE((*fe01)->reload().ok());
  REQUIRE((*fe02)->reload().ok());
  CHECK((*fe01)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{1, 2});
  CHECK((*fe02)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{2});

  CHECK(NodeCredentials::fromDirectory(f.dir, "alice").error().code == "not_a_computer");
}
