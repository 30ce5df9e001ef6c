// The lab's SQLite state: the journal of admin commands, its statuses, the format mark that keeps kerbpool
// from writing another program's database, and the one-lab-at-a-time lock.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "core/common/rng.hpp"
#include "lab/state_store.hpp"
#include "tests/support/tools.hpp"

using namespace kerbpool;

TEST_CASE("lab state: the journal keeps commands in order with their outcome", "[lab]") {
  test::TempDir dir;
  const auto folder = dir / "state";
  auto store = lab::StateStore::open(folder);
  REQUIRE(store.ok());
  struct stat st {};
  REQUIRE(::stat((folder / "lab.sqlite").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat(folder.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK_FALSE((*store)->scenarioJson().has_value());
  REQUIRE((*store)->setScenario("tour", "{\"name\": \"tour\"}").ok());

  auto a = (*store)->submit({"setspn", "-D", "HTTP/pool.contoso.test", "FE01$"});
  auto b = (*store)->submit({"setspn", "-X"});
  auto c = (*store)->submit({"setspn", "-S", "HTTP/pool.contoso.test", "NOBODY$"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  auto pending = (*store)->pending();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 3);
  CHECK(pending->front().argv == std::vector<std::string>{"setspn", "-D", "HTTP/pool.contoso.test", "FE01$"});
  REQUIRE((*store)->finish(*a, "applied", {"Unregistering ServicePrincipalNames"}).ok());
  REQUIRE((*store)->finish(*b, "answered", {"found 1 group of duplicate SPNs."}).ok());
  REQUIRE((*store)->finish(*c, "refused", {"Unable to locate account NOBODY$"}).ok());
  // A finished command is not finished again (a withdrawn one cannot be applied later).
  REQUIRE((*store)->finish(*c, "applied", {}).ok());
  CHECK((*store)->entry(*c)->status == "refused");

  // Reopened: the scenario and only the applied change are what a restart replays.
  store->reset();
  auto again = lab::StateStore::open(folder);
  REQUIRE(again.ok());
  CHECK((*again)->scenarioJson() == std::optional<std::string>("{\"name\": \"tour\"}"));
  auto applied = (*again)->applied();
  REQUIRE(applied.ok());
  REQUIRE(applied->size() == 1);
  CHECK(applied->front().id == *a);
  CHECK(applied->front().output == std::vector<std::string>{"Unregistering ServicePrincipalNames"});
  CHECK((*again)->pending()->empty());
}

TEST_CASE("lab state: another program's database or a corrupt file is refused and left as it was", "[lab]") {
  test::TempDir dir;
  // A text file, and a file that starts like SQLite but whose header and pages are garbage.
  const std::string corrupt =
      std::string("SQLite format 3", 15) + std::string(1, '\0') + std::string(4080, '\x07');
  for (const std::string& content : {std::string("this is not a database at all, just text\n"), corrupt}) {
    const auto folder = dir / ("state" + std::to_string(content.size()));
    std::filesystem::create_directories(folder);
    {
      std::ofstream out(folder / "lab.sqlite", std::ios::binary);
      out << content;
    }
    auto store = lab::StateStore::open(folder);
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == "not_a_lab_state");
    CHECK(store.error().detail.find("left as it is") != std::string::npos);
    std::ifstream in(folder / "lab.sqlite", std::ios::binary);
    const std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(after == content);
  }
}

TEST_CASE("lab state: one serving lab per state folder", "[lab]") {
  test::TempDir dir;
  auto first = lab::StateStore::open(dir / "state");
  auto second = lab::StateStore::open(dir / "state");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE((*first)->lockForServing().ok());
  const auto refused = (*second)->lockForServing();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "state_in_use");
  first->reset();  // the first lab ends: its lock goes with it
  CHECK((*second)->lockForServing().ok());
}

namespace {

kdc::EventRecord record(int id, std::uint64_t number, std::int64_t unixSeconds, std::string message) {
  kdc::EventRecord r;
  r.id = id;
  r.recordNumber = number;
  r.time = core::fromUnixSeconds(unixSeconds);
  r.source = "Microsoft-Windows-Security-Auditing";
  r.fields = {{"TargetUserName", "user001"}, {"Status", "0x0"}};
  r.message = std::move(message);
  return r;
}

}  // namespace

TEST_CASE("lab state: the event logs of every run, newest first, filtered as Get-WinEvent asks", "[lab]") {
  test::TempDir dir;
  {
    auto store = lab::StateStore::open(dir / "state");
    REQUIRE(store.ok());
    auto run = (*store)->beginRun();
    REQUIRE(run.ok());
    CHECK(*run == 1);
    REQUIRE((*store)
                ->appendEvents(
                    *run, {{"DC01", record(4769, 1, 1700000000, "A Kerberos service ticket was requested.")},
                           {"fe01", record(5816, 1, 1700000001, "Netlogon has failed an authentication")}})
                .ok());
  }
  auto store = lab::StateStore::open(dir / "state");
  REQUIRE(store.ok());
  auto run = (*store)->beginRun();
  REQUIRE(run.ok());
  CHECK(*run == 2);
  REQUIRE((*store)
              ->appendEvents(*run, {{"DC01", record(4776, 1, 1700000100, "The computer attempted ...")}})
              .ok());

  auto all = (*store)->events(lab::EventQuery{});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK(all->at(0).record.id == 4776);
  CHECK(all->at(0).run == 2);
  CHECK(all->at(1).computer == "fe01");
  CHECK(all->at(2).record.fields.at("TargetUserName") == "user001");
  CHECK(all->at(2).record.time == core::fromUnixSeconds(1700000000));
  CHECK(all->at(2).run == 1);

  auto dc = (*store)->events(lab::EventQuery{"dc01", 0, 50});  // computer names without case
  REQUIRE(dc.ok());
  CHECK(dc->size() == 2);
  auto one = (*store)->events(lab::EventQuery{"", 4769, 50});
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK(one->front().record.message == "A Kerberos service ticket was requested.");
  auto newest = (*store)->events(lab::EventQuery{"", 0, 1});
  REQUIRE(newest.ok());
  CHECK(newest->size() == 1);
}

TEST_CASE("lab state: a full log drops its oldest events, as Windows overwrites them", "[lab]") {
  test::TempDir dir;
  auto store = lab::StateStore::open(dir / "state");
  REQUIRE(store.ok());
  std::vector<std::pair<std::string, kdc::EventRecord>> burst;
  for (std::uint64_t i = 1; i <= lab::StateStore::kMaxEvents + 5; ++i) {
    burst.emplace_back("DC01", record(4769, i, 1700000000, "ticket " + std::to_string(i)));
  }
  REQUIRE((*store)->appendEvents(1, burst).ok());
  auto kept = (*store)->events(lab::EventQuery{"", 0, lab::StateStore::kMaxEvents + 100});
  REQUIRE(kept.ok());
  CHECK(kept->size() == lab::StateStore::kMaxEvents);
  CHECK(kept->front().record.recordNumber == lab::StateStore::kMaxEvents + 5);
  CHECK(kept->back().record.recordNumber == 6);
}

TEST_CASE("lab state: the lab's certificates are kept whole, or not at all", "[lab]") {
  test::TempDir dir;
  auto store = lab::StateStore::open(dir / "state");
  REQUIRE(store.ok());
  CHECK_FALSE((*store)->certificates().has_value());
  scenarios::LabCertificateMaterial m{"-----BEGIN CERTIFICATE-----ca", "-----BEGIN CERTIFICATE-----chain",
                                      "-----BEGIN PRIVATE KEY-----key", "-----BEGIN CERTIFICATE-----lbchain",
                                      "-----BEGIN PRIVATE KEY-----lbkey"};
  REQUIRE((*store)->setCertificates(m).ok());
  auto again = lab::StateStore::open(dir / "state");
  REQUIRE(again.ok());
  const auto kept = (*again)->certificates();
  REQUIRE(kept.has_value());
  CHECK(kept->caCertificate == m.caCertificate);
  CHECK(kept->serverChain == m.serverChain);
  CHECK(kept->serverKey == m.serverKey);
  CHECK(kept->balancerChain == m.balancerChain);
  CHECK(kept->balancerKey == m.balancerKey);
  // Material that is not PEM is refused when the lab loads it.
  m.serverKey = "not a key";
  const auto loaded = scenarios::LabCertificates::load(m);
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == "bad_lab_certificates");
  CHECK(loaded.error().message().find("the server key") != std::string::npos);
}

TEST_CASE("lab state: the pool's web ticket keys are kept by version and replaced whole", "[lab]") {
  test::TempDir dir;
  auto store = lab::StateStore::open(dir / "state");
  REQUIRE(store.ok());
  REQUIRE((*store)->webTicketKeys().ok());
  CHECK((*store)->webTicketKeys()->empty());
  core::SeededRng rng(9);
  const auto v1 = core::webticket::generatePoolKey(1, rng).value();
  const auto v2 = core::webticket::generatePoolKey(2, rng).value();
  REQUIRE((*store)->setWebTicketKeys({v2, v1}).ok());
  auto again = lab::StateStore::open(dir / "state");
  REQUIRE(again.ok());
  auto kept = (*again)->webTicketKeys();
  REQUIRE(kept.ok());
  REQUIRE(kept->size() == 2);
  CHECK((*kept)[0].version == 1);
  CHECK((*kept)[0].key.value == v1.key.value);
  CHECK((*kept)[0].key.enctype == v1.key.enctype);
  CHECK((*kept)[1].version == 2);
  CHECK((*kept)[1].key.value == v2.key.value);
  REQUIRE((*again)->setWebTicketKeys({v2}).ok());  // a roll dropped version 1
  kept = (*again)->webTicketKeys();
  REQUIRE(kept.ok());
  REQUIRE(kept->size() == 1);
  CHECK((*kept)[0].version == 2);
}
