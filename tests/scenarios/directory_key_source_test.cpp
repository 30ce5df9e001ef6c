// The directory-backed KeySource: a node's keys are what the directory delivered to its computer account.
#include "scenarios/directory_key_source.hpp"

#include <catch2/catch.hpp>

#include "tests/kdc/pool_fixture.hpp"

using namespace kerbpool;
using scenarios::nodeCredentialsFromDirectory;

TEST_CASE("directory key source: the directory's delivered keys, every kvno retained",
          "[scenarios][credentials]") {
  kdc::pooltest::PoolFixture f;
  kdc::pooltest::PoolFixture::take(f.dir.addSpn("POOLKERB$", "HTTP/pool.contoso.test"));
  kdc::pooltest::PoolFixture::ok(f.dir.deliverKeys("POOLKERB$", "FE01$"));
  auto fe01 = nodeCredentialsFromDirectory(f.dir, "FE01$");
  REQUIRE(fe01.ok());
  CHECK((*fe01)->description() == "directory keys of FE01$");
  auto fe02 = nodeCredentialsFromDirectory(f.dir, "FE02$");
  REQUIRE(fe02.ok());
  CHECK((*fe01)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{1});
  CHECK((*fe02)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST").empty());
  core::acceptor::KeyQuery q{"HTTP/pool.contoso.test", "CONTOSO.TEST", 1u, 18};
  CHECK((*fe01)->current()->find(q).ok());
  CHECK((*fe02)->current()->find(q).error().code == "no_key_for_spn");

  // A roll delivered to the whole site: after reload both nodes hold kvno 1 and 2.
  kdc::pooltest::PoolFixture::take(f.dir.setPassword("POOLKERB$", "pool-shared-password-2"));
  kdc::pooltest::PoolFixture::take(f.dir.deliverKeysToSite("Site1"));
  REQUIRE((*fe01)->reload().ok());
  REQUIRE((*fe02)->reload().ok());
  CHECK((*fe01)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{1, 2});
  CHECK((*fe02)->current()->kvnosFor("HTTP/pool.contoso.test", "CONTOSO.TEST") ==
        std::vector<std::uint32_t>{2});

  CHECK(nodeCredentialsFromDirectory(f.dir, "alice").error().code == "not_a_computer");
}
