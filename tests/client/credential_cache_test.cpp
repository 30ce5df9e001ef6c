#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "client/credential_cache.hpp"
#include "core/iana/ticket_flags.hpp"

using namespace kerbpool;
using client::Credential;
using client::CredentialCache;

namespace {

constexpr std::int64_t kStart = 1795392000;

Credential ticket(const std::string& host, std::int64_t lifetime,
                  std::optional<std::int64_t> renewTill = {}) {
  Credential c;
  c.client = client::Principal{{core::iana::NameType::KRB_NT_PRINCIPAL, {"alice"}}, "KERBPOOL.TEST"};
  c.server = client::Principal{{core::iana::NameType::KRB_NT_SRV_HST, {"HTTP", host}}, "KERBPOOL.TEST"};
  c.authtime = kStart;
  c.starttime = kStart;
  c.endtime = kStart + lifetime;
  c.renewTill = renewTill;
  if (renewTill) {
    c.flags = core::iana::ticket_flags::renewable;
  }
  return c;
}

Credential tgt(std::int64_t lifetime, std::optional<std::int64_t> renewTill = {}) {
  Credential c = ticket("x", lifetime, renewTill);
  c.server = client::Principal{{core::iana::NameType::KRB_NT_SRV_INST, {"krbtgt", "KERBPOOL.TEST"}},
                               "KERBPOOL.TEST"};
  return c;
}

}  // namespace

TEST_CASE("credential cache: service tickets by server with a case-insensitive host part", "[client]") {
  core::ManualClock clock(core::fromUnixSeconds(kStart));
  CredentialCache cache(clock);
  cache.store(ticket("Pool.Kerbpool.Test", 3600));
  auto hit = cache.find(ticket("pool.kerbpool.test", 1).server);
  REQUIRE(hit.has_value());
  CHECK(hit->credential.server.name.nameString[1] == "Pool.Kerbpool.Test");
  CHECK_FALSE(hit->needsRenewal);

  // The service class is compared exactly, as MIT does.
  auto lowerClass = ticket("pool.kerbpool.test", 1).server;
  lowerClass.name.nameString[0] = "http";
  CHECK_FALSE(cache.find(lowerClass).has_value());
  auto otherRealm = ticket("pool.kerbpool.test", 1).server;
  otherRealm.realm = "OTHER.TEST";
  CHECK_FALSE(cache.find(otherRealm).has_value());

  const auto s = cache.stats();
  CHECK(s.hits == 1);
  CHECK(s.misses == 2);
  CHECK(s.serviceTickets == 1);
  CHECK(CredentialCache::keyOf(ticket("A.B", 1).server) == "HTTP/a.b@KERBPOOL.TEST");
}

TEST_CASE("credential cache: expiry uses the injected clock and a margin", "[client]") {
  core::ManualClock clock(core::fromUnixSeconds(kStart));
  CredentialCache cache(clock);  // 60 s margin
  cache.storeTgt(tgt(3600));
  cache.store(ticket("a.test", 600));
  clock.advance(std::chrono::seconds(539));
  CHECK(cache.find(ticket("a.test", 1).server).has_value());
  clock.advance(std::chrono::seconds(1));  // 60 s before the end: treated as expired and dropped
  CHECK_FALSE(cache.find(ticket("a.test", 1).server).has_value());
  CHECK(cache.stats().serviceTickets == 0);
  CHECK(cache.tgt().has_value());
  clock.advance(std::chrono::hours(1));
  CHECK_FALSE(cache.tgt().has_value());
  CHECK_FALSE(cache.stats().hasTgt);
  CHECK(cache.stats().evictions == 2);

  // Not yet valid (postdated beyond the margin) is not usable either.
  Credential later = ticket("b.test", 7200);
  later.starttime = kStart + 7200;
  later.endtime = kStart + 9000;
  cache.store(later);
  CHECK_FALSE(cache.find(later.server).has_value());
}

TEST_CASE("credential cache: renewable tickets near their end are flagged for renewal", "[client]") {
  core::ManualClock clock(core::fromUnixSeconds(kStart));
  CredentialCache cache(clock);  // renew 5 minutes before the end
  cache.storeTgt(tgt(3600, kStart + 86400));
  CHECK_FALSE(cache.tgt()->needsRenewal);
  clock.advance(std::chrono::seconds(3600 - 300));
  auto due = cache.tgt();
  REQUIRE(due.has_value());
  CHECK(due->needsRenewal);

  // Not renewable, or renew-till already reached: never flagged.
  cache.storeTgt(tgt(3600 + 200));
  CHECK_FALSE(cache.tgt()->needsRenewal);
  cache.storeTgt(tgt(3600, kStart + 3600));
  CHECK_FALSE(cache.tgt()->needsRenewal);
}

TEST_CASE("credential cache: eviction by limit and by evictExpired", "[client]") {
  core::ManualClock clock(core::fromUnixSeconds(kStart));
  client::CredentialCacheOptions options;
  options.maxServiceTickets = 2;
  CredentialCache cache(clock, options);
  cache.store(ticket("long.test", 7200));
  cache.store(ticket("short.test", 600));
  cache.store(ticket("mid.test", 3600));
  CHECK(cache.stats().serviceTickets == 2);
  CHECK_FALSE(cache.find(ticket("short.test", 1).server).has_value());  // the soonest-ending went first
  CHECK(cache.find(ticket("long.test", 1).server).has_value());

  clock.advance(std::chrono::hours(1));
  cache.storeTgt(tgt(1800));
  CHECK(cache.evictExpired() == 2);  // mid.test and the TGT
  CHECK(cache.stats().serviceTickets == 1);
  cache.erase(ticket("long.test", 1).server);
  CHECK(cache.stats().serviceTickets == 0);
  cache.store(ticket("x.test", 7200));
  cache.clear();
  CHECK(cache.stats().serviceTickets == 0);
}

TEST_CASE("credential cache: concurrent readers and writers keep consistent counters", "[client]") {
  core::ManualClock clock(core::fromUnixSeconds(kStart));
  CredentialCache cache(clock);
  constexpr int kThreads = 4;
  constexpr int kRounds = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string host = "h" + std::to_string((t * kRounds + i) % 16) + ".test";
        cache.store(ticket(host, 3600));
        (void)cache.find(ticket(host, 1).server);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  const auto s = cache.stats();
  CHECK(s.hits + s.misses == kThreads * kRounds);
  CHECK(s.hits == kThreads * kRounds);  // each find follows its own store
  CHECK(s.serviceTickets == 16);
}
