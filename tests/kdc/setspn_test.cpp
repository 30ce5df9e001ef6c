#include <catch2/catch.hpp>

#include "kdc/directory.hpp"
#include "kdc/event_log.hpp"
#include "tests/kdc/pool_fixture.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::PoolFixture;

TEST_CASE("setspn -A adds without checking: the per-node misconfiguration", "[kdc][setspn]") {
  PoolFixture f;
  for (const char* node : {"FE01$", "FE02$", "FE03$"}) {
    auto change = PoolFixture::take(f.dir.addSpn(node, "HTTP/pool.contoso.test"));
    CHECK(change.outcome == SpnOutcome::Added);
  }
  auto fe02 = PoolFixture::take(f.dir.addSpn("FE02$", "http/POOL.contoso.test"));
  CHECK(fe02.outcome == SpnOutcome::AlreadyPresent);
  CHECK(fe02.output.front() ==
        "Registering ServicePrincipalNames for CN=FE02,CN=Computers,DC=contoso,DC=test");
  auto q = f.dir.querySpn("HTTP/pool.contoso.test");
  REQUIRE(q.holders.size() == 3);
  CHECK(q.holders[0].samAccountName == "FE01$");
  CHECK(q.holders[2].distinguishedName == "CN=FE03,CN=Computers,DC=contoso,DC=test");
  CHECK(q.output.back() == "Existing SPN found!");

  auto bad = f.dir.addSpn("FE01$", "HTTP");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_spn");
  CHECK(f.dir.addSpn("FE09$", "HTTP/x").error().code == "no_such_account");
}

TEST_CASE("setspn -S refuses an SPN another account holds, naming the holder", "[kdc][setspn]") {
  PoolFixture f;
  auto first = PoolFixture::take(f.dir.addSpnChecked("POOLKERB$", "HTTP/pool.contoso.test"));
  CHECK(first.outcome == SpnOutcome::Added);
  CHECK(first.output.front() == "Checking domain DC=contoso,DC=test");
  CHECK(first.output.back() == "Updated object");

  auto refused = PoolFixture::take(f.dir.addSpnChecked("FE01$", "HTTP/Pool.Contoso.Test"));
  CHECK(refused.outcome == SpnOutcome::RefusedDuplicate);
  CHECK(refused.holders == std::vector<std::string>{"POOLKERB$"});
  CHECK(std::find(refused.output.begin(), refused.output.end(),
                  "CN=POOLKERB,CN=Computers,DC=contoso,DC=test") != refused.output.end());
  CHECK(refused.output.back() == "Duplicate SPN found, aborting operation!");
  CHECK(f.dir.listSpns("FE01$")->spns == std::vector<std::string>{"HOST/fe01.contoso.test", "HOST/fe01"});

  auto again = PoolFixture::take(f.dir.addSpnChecked("POOLKERB$", "HTTP/pool.contoso.test"));
  CHECK(again.outcome == SpnOutcome::AlreadyPresent);
  CHECK(f.dir.querySpn("HTTP/pool.contoso.test").holders.size() == 1);
}

TEST_CASE("setspn -D removes case-insensitively, and -L lists", "[kdc][setspn]") {
  PoolFixture f;
  auto listing = PoolFixture::take(f.dir.listSpns("fe01$"));
  CHECK(listing.account == "FE01$");
  CHECK(listing.output == std::vector<std::string>{
                              "Registered ServicePrincipalNames for CN=FE01,CN=Computers,DC=contoso,DC=test:",
                              "\tHOST/fe01.contoso.test", "\tHOST/fe01"});
  auto removed = PoolFixture::take(f.dir.deleteSpn("FE01$", "host/FE01"));
  CHECK(removed.outcome == SpnOutcome::Removed);
  CHECK(removed.output.back() == "Updated object");
  CHECK(f.dir.listSpns("FE01$")->spns == std::vector<std::string>{"HOST/fe01.contoso.test"});
  CHECK(PoolFixture::take(f.dir.deleteSpn("FE01$", "HOST/FE01")).outcome == SpnOutcome::NotPresent);
  CHECK(f.dir.listSpns("nobody").error().code == "no_such_account");
}

TEST_CASE("setspn -Q with no holder", "[kdc][setspn]") {
  PoolFixture f;
  auto q = f.dir.querySpn("HTTP/pool.contoso.test");
  CHECK(q.holders.empty());
  CHECK(q.output.back() == "No such SPN found.");
}

TEST_CASE("setspn -X reports every SPN held by more than one account", "[kdc][setspn]") {
  PoolFixture f;
  CHECK(f.dir.findDuplicates().duplicates.empty());
  CHECK(f.dir.findDuplicates().output.back() == "found 0 groups of duplicate SPNs.");
  PoolFixture::take(f.dir.addSpn("FE01$", "HTTP/pool.contoso.test"));
  PoolFixture::take(f.dir.addSpn("FE02$", "http/pool.contoso.test"));
  PoolFixture::take(f.dir.addSpn("POOLKERB$", "HTTP/POOL.CONTOSO.TEST"));
  PoolFixture::take(f.dir.addSpn("POOLKERB$", "HOST/fe03"));
  auto report = f.dir.findDuplicates();
  REQUIRE(report.duplicates.size() == 2);
  const auto& pool = report.duplicates[0];
  CHECK(pool.spn == "HTTP/pool.contoso.test");
  REQUIRE(pool.holders.size() == 3);
  CHECK(pool.holders[0].samAccountName == "FE01$");
  CHECK(pool.holders[1].samAccountName == "FE02$");
  CHECK(pool.holders[2].samAccountName == "POOLKERB$");
  CHECK(report.duplicates[1].spn == "HOST/fe03");
  CHECK(report.output.back() == "found 2 groups of duplicate SPNs.");
  CHECK(std::find(report.output.begin(), report.output.end(),
                  "HTTP/pool.contoso.test is registered on these accounts:") != report.output.end());
}

TEST_CASE("setspn -A on a DC that checks uniqueness (2012 R2 and later): refused with 0x21C7 and event 2974",
          "[kdc][setspn]") {
  PoolFixture f;
  const SpnWriteCheck check{true, "DC01"};
  CHECK(PoolFixture::take(f.dir.addSpn("FE01$", "HTTP/pool.contoso.test", check)).outcome ==
        SpnOutcome::Added);
  auto refused = PoolFixture::take(f.dir.addSpn("FE02$", "http/POOL.contoso.test", check));
  CHECK(refused.outcome == SpnOutcome::RefusedNotUnique);
  CHECK(refused.holders == std::vector<std::string>{"FE01$"});
  CHECK(refused.output.back() ==
        "Failed to assign SPN on account 'CN=FE02,CN=Computers,DC=contoso,DC=test', error 0x21c7/8647 -> The "
        "operation failed because SPN value provided for addition/modification is not unique forest-wide.");
  CHECK(f.dir.querySpn("HTTP/pool.contoso.test").holders.size() == 1);
  const auto events = f.events.query(event_id::kValueNotUnique);
  REQUIRE(events.size() == 1);
  CHECK(events[0].source == "ActiveDirectory_DomainService");
  CHECK(events[0].fields.at("Value") == "http/POOL.contoso.test");
  CHECK(events[0].fields.at("ConflictingObjects") == "CN=FE01,CN=Computers,DC=contoso,DC=test");
  CHECK(events[0].fields.at("DomainController") == "DC01");

  // The account's own value again is no conflict; without the check (an older DC, or dSHeuristics) the
  // write goes through and says which accounts held it already.
  CHECK(PoolFixture::take(f.dir.addSpn("FE01$", "HTTP/pool.contoso.test", check)).outcome ==
        SpnOutcome::AlreadyPresent);
  auto written =
      PoolFixture::take(f.dir.addSpn("FE02$", "HTTP/pool.contoso.test", SpnWriteCheck{false, "DC02"}));
  CHECK(written.outcome == SpnOutcome::Added);
  CHECK(written.holders == std::vector<std::string>{"FE01$"});
  CHECK(f.dir.querySpn("HTTP/pool.contoso.test").holders.size() == 2);
  CHECK(f.events.count(event_id::kValueNotUnique) == 1);
}
