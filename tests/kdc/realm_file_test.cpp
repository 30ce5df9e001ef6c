#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/crypto/enctype.hpp"
#include "kdc/realm_file.hpp"
#include "tests/kdc/pool_fixture.hpp"
#include "tests/support/kdc_fixture.hpp"

using namespace kerbpool;
using namespace kerbpool::kdc;
using kerbpool::kdc::pooltest::names;

namespace {

std::filesystem::path examplePath() {
  return kerbpool::test::sourceDir() / "examples" / "contoso.realm.json";
}

// A small valid realm; the error cases below each break one field of it.
constexpr const char* kMinimal = R"({
  "realm": "CONTOSO.TEST",
  "krbtgt_password": "k",
  "sites": [{"name": "Site1"}],
  "accounts": [
    {"sam": "alice", "kind": "user", "password": "Passw0rd!"},
    {"sam": "FE01$", "kind": "computer", "password": "m", "dns_host_name": "fe01.contoso.test",
     "site": "Site1",
     "spns": ["HOST/fe01.contoso.test"]}
  ]
})";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("realm file: the shipped example loads and serves HTTP/pool.contoso.test", "[kdc][realm]") {
  core::ManualClock clock(core::fromUnixSeconds(1700000000));
  EventLog events(clock);
  auto realm = loadRealmFile(examplePath(), events);
  INFO((realm.ok() ? std::string() : realm.error().message()));
  REQUIRE(realm.ok());
  CHECK(realm->settings.realm == "CONTOSO.TEST");
  CHECK(realm->settings.ticketLifetime == std::chrono::hours(10));
  CHECK(realm->settings.renewLifetime == std::chrono::hours(24 * 7));
  Directory& dir = *realm->directory;
  CHECK(dir.accountNames() ==
        std::vector<std::string>{"alice", "bob", "FE01$", "FE02$", "FE03$", "krbtgt", "POOLKERB$"});

  auto alice = dir.lookupClient({"alice"}, {18});
  REQUIRE(alice.ok());
  auto expected = core::crypto::stringToKey(18, "Passw0rd!", "CONTOSO.TESTalice");
  REQUIRE(expected.ok());
  CHECK(alice->key.value == expected->value);
  CHECK(dir.lookupClient({"bob@contoso.test"}).ok());

  auto pool = dir.resolveService(names("HTTP/pool.contoso.test"), {18, 17});
  REQUIRE(pool.ok());
  CHECK(pool->samAccountName == "POOLKERB$");
  CHECK(pool->kvno == 1);
  CHECK(pool->salt == "CONTOSO.TESThostpoolkerb.contoso.test");
  CHECK(dir.resolveService({"krbtgt", "CONTOSO.TEST"}).ok());
  CHECK(dir.resolveService(names("HTTP/fe02.contoso.test"))->samAccountName == "FE02$");
  CHECK(dir.findDuplicates().duplicates.empty());

  // Every node of Site1 holds the shared key the KDC seals pool tickets with.
  CHECK(dir.nodesOf("Site1").size() == 3);
  for (const auto& node : dir.nodesOf("Site1")) {
    INFO(node);
    auto held = dir.keysHeldBy(node);
    REQUIRE(held.ok());
    bool found = false;
    for (const auto& k : *held) {
      found = found || (k.account == "POOLKERB$" && k.kvno == 1 && k.key.value == pool->key.value);
    }
    CHECK(found);
  }
  CHECK(events.size() == 0);
}

TEST_CASE("realm file: settings and options", "[kdc][realm]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog events(clock);
  std::string text = replace(kMinimal, R"("krbtgt_password": "k",)",
                             R"("krbtgt_password": "k", "ticket_lifetime_hours": 4, "renew_lifetime_days": 1,
                                "spn_mappings": ["host=www"], "krbtgt_enctypes": ["rc4-hmac", "aes256-cts"],
                                "default_domain_supported_enctypes": "0x27",)");
  text = replace(text, R"({"sam": "alice", "kind": "user", "password": "Passw0rd!"})",
                 R"({"sam": "alice", "kind": "user", "password": "Passw0rd!", "enabled": false,
                     "enctypes": ["rc4-hmac", "aes128-cts"]},
                    {"sam": "svc-web", "kind": "service", "object_class": "user", "password": "s",
                     "spns": ["HTTP/web.contoso.test", "HTTP/FE01.contoso.test"]})");
  auto realm = parseRealmFile(text, events);
  INFO((realm.ok() ? std::string() : realm.error().message()));
  REQUIRE(realm.ok());
  CHECK(realm->settings.ticketLifetime == std::chrono::hours(4));
  CHECK(realm->settings.renewLifetime == std::chrono::hours(24));
  Directory& dir = *realm->directory;
  auto alice = dir.account("alice");
  CHECK_FALSE(alice->enabled);
  CHECK(alice->supportedEncryptionTypes == 0xC);
  CHECK(dir.account("krbtgt")->supportedEncryptionTypes == 0x14);
  CHECK(dir.defaultDomainSupportedEncTypes() == 0x27);
  CHECK(dir.effectiveEncryptionTypes(*dir.account("svc-web")) == 0x27);
  CHECK(dir.account("svc-web")->salt == "CONTOSO.TESTsvc-web");
  CHECK(dir.resolveService(names("www/fe01.contoso.test"))->samAccountName == "FE01$");
  CHECK_FALSE(dir.resolveService(names("cifs/fe01.contoso.test")).ok());
}

TEST_CASE("realm file: a duplicate SPN in the file is loaded as such", "[kdc][realm]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog events(clock);
  std::string text = replace(kMinimal, R"("spns": ["HOST/fe01.contoso.test"])",
                             R"("spns": ["HOST/fe01.contoso.test", "HTTP/pool.contoso.test"]},
    {"sam": "FE02$", "kind": "computer", "password": "m2", "dns_host_name": "fe02.contoso.test",
     "site": "Site1",
     "spns": ["HOST/fe02.contoso.test", "HTTP/pool.contoso.test"])");
  auto realm = parseRealmFile(text, events);
  REQUIRE(realm.ok());
  CHECK(realm->directory->findDuplicates().duplicates.size() == 1);
  auto r = realm->directory->resolveService(names("HTTP/pool.contoso.test"));
  REQUIRE_FALSE(r.ok());
  CHECK(krbErrorCode(r.error()) == 7);
  CHECK(events.query(event_id::kDuplicateName).at(0).fields.at("Accounts") == "FE01$, FE02$");
}

TEST_CASE("realm file: bad files give errors naming the JSON path", "[kdc][realm]") {
  struct Row {
    std::string from;
    std::string to;
    std::string detailPrefix;
  };
  std::vector<Row> rows{
      {R"("spns": ["HOST/fe01.contoso.test"])", R"("spns": ["HTTP"])",
       "accounts[1].spns[0]: 'HTTP': expected"},
      {R"("spns": ["HOST/fe01.contoso.test"])", R"("spns": ["HOST/a", 7])",
       "accounts[1].spns[1]: expected a"},
      {R"("spns": ["HOST/fe01.contoso.test"])", R"("spns": ["HOST/a", "host/A"])",
       "accounts[1].spns[1]: listed twice"},
      {R"("spns": ["HOST/fe01.contoso.test"])", R"("spnz": [])", "accounts[1].spnz: unknown key"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "lifetime": 3,)", "lifetime: unknown key"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "krbtgt_enctypes": ["des-cbc-md5"],)",
       "krbtgt_enctypes[0]: 'des-cbc-md5' is not an enctype"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "krbtgt_enctypes": [],)",
       "krbtgt_enctypes: must name at least one enctype"},
      {R"({"name": "Site1"})", R"({"name": "Site1", "color": "red"})", "sites[0].color: unknown key"},
      {R"("realm": "CONTOSO.TEST")", R"("realm": "contoso.test")",
       "realm: 'contoso.test' must be an upper-case"},
      {R"("realm": "CONTOSO.TEST",)", "", "realm: missing"},
      {R"("krbtgt_password": "k",)", "", "krbtgt_password: missing"},
      {R"("kind": "user")", R"("kind": "person")", "accounts[0].kind: 'person' is not one of"},
      {R"("kind": "user")", R"("kind": 3)", "accounts[0].kind: expected a string"},
      {R"("password": "Passw0rd!")", R"("password": "")", "accounts[0].password: must not be empty"},
      {R"("password": "Passw0rd!")", R"("upn": "alice@contoso.test")", "accounts[0].password: missing"},
      {R"("dns_host_name": "fe01.contoso.test",)", "", "accounts[1].dns_host_name: missing"},
      {R"("site": "Site1",)", R"("site": "Site9",)", "accounts[1].site: unknown site 'Site9'"},
      {R"({"name": "Site1"})", R"({"name": "Site1", "kerberos_account": "POOLKERB$"})",
       "sites[0].kerberos_account: no account 'POOLKERB$'"},
      {R"({"sam": "alice", "kind": "user", "password": "Passw0rd!"})",
       R"({"sam": "alice", "kind": "user", "password": "Passw0rd!"},)"
       R"({"sam": "ALICE", "kind": "user", "password": "x"})",
       "accounts[1].sam: sAMAccountName 'ALICE' is already in use"},
      {R"("sam": "FE01$")", R"("sam": "FE01")", "accounts[1].sam: 'FE01': a computer object"},
      {R"("password": "Passw0rd!")", R"("password": "Passw0rd!", "enctypes": ["des-cbc-md5"])",
       "accounts[0].enctypes[0]: 'des-cbc-md5' is not an enctype"},
      {R"("password": "Passw0rd!")", R"("password": "Passw0rd!", "enabled": "yes")",
       "accounts[0].enabled: expected true or false"},
      {R"("password": "Passw0rd!")", R"("password": "Passw0rd!", "object_class": "user")",
       "accounts[0].object_class: only a service account"},
      {R"("krbtgt_password": "k",)",
       R"("krbtgt_password": "k", "default_domain_supported_enctypes": "0x40",)",
       "default_domain_supported_enctypes: '0x40' is outside 0x1..0x3F"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "default_domain_supported_enctypes": 3,)",
       "default_domain_supported_enctypes: '3' allows neither RC4 nor AES"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "default_domain_supported_enctypes": [24],)",
       "default_domain_supported_enctypes: expected a mask"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "ticket_lifetime_hours": 0,)",
       "ticket_lifetime_hours: expected an integer from 1 to 99999"},
      // Issue 19: numbers nlohmann cannot hold, and durations that overflowed on their way to seconds.
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "ticket_lifetime_hours": 1e400,)",
       "not valid JSON: ticket_lifetime_hours: [json.exception.out_of_range.406] number overflow"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "renew_lifetime_days": 9223372036854775807,)",
       "renew_lifetime_days: expected an integer from 1 to 99999"},
      {R"("krbtgt_password": "k",)",
       R"("krbtgt_password": "k", "renew_lifetime_days": 18446744073709551615,)",
       "renew_lifetime_days: expected an integer from 1 to 99999"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "renew_lifetime_days": 100000,)",
       "renew_lifetime_days: expected an integer from 1 to 99999"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "ticket_lifetime_hours": 200,)",
       "renew_lifetime_days: shorter than"},
      {R"("krbtgt_password": "k",)", R"("krbtgt_password": "k", "spn_mappings": ["host"],)",
       "spn_mappings[0]: "},
      {R"("sites": [{"name": "Site1"}],)", R"("sites": {"name": "Site1"},)", "sites: expected an array"},
      {R"({"sam": "alice", "kind": "user", "password": "Passw0rd!"})", R"("alice")",
       "accounts[0]: expected an object"},
  };
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog events(clock);
  for (const auto& row : rows) {
    std::string text = replace(kMinimal, row.from, row.to);
    INFO(text);
    auto realm = parseRealmFile(text, events);
    REQUIRE_FALSE(realm.ok());
    CHECK(realm.error().category == core::ErrorCategory::Config);
    CHECK(realm.error().code == "bad_realm_file");
    INFO(realm.error().detail);
    CHECK(realm.error().detail.rfind(row.detailPrefix, 0) == 0);
  }
}

TEST_CASE("realm file: not JSON, not an object, unreadable file", "[kdc][realm]") {
  core::ManualClock clock(core::fromUnixSeconds(0));
  EventLog events(clock);
  for (const char* text : {"", "{", "[1,2]", "\"realm\"", "{\"realm\": \"CONTOSO.TEST\",}"}) {
    INFO(text);
    auto realm = parseRealmFile(text, events);
    REQUIRE_FALSE(realm.ok());
    CHECK(realm.error().code == "bad_realm_file");
  }
  auto missing = loadRealmFile("/nonexistent/dir/none.realm.json", events);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().category == core::ErrorCategory::Io);

  auto dir = std::filesystem::temp_directory_path() / "kerbpool-realm-test";
  std::filesystem::create_directories(dir);
  auto file = dir / "broken.realm.json";
  {
    std::ofstream out(file);
    out << replace(kMinimal, R"("spns": ["HOST/fe01.contoso.test"])", R"("spns": ["HTTP"])");
  }
  auto broken = loadRealmFile(file, events);
  std::filesystem::remove_all(dir);
  REQUIRE_FALSE(broken.ok());
  CHECK(
      broken.error().message().rfind(
          "config/bad_realm_file: broken.realm.json: accounts[1].spns[0]: 'HTTP': expected serviceclass/host",
          0) == 0);
}
