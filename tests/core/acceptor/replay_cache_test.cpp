#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "core/acceptor/replay_cache.hpp"
#include "tests/core/acceptor/test_kdc.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::acceptor;
using kerbpool::test::kTestEpoch;

namespace {

ReplayKey key(std::string client, std::int64_t ctime, std::int32_t cusec, std::uint8_t cipherByte) {
  const Bytes cipher(40, cipherByte);
  auto k = ReplayKey::make(std::move(client), ctime, cusec, cipher);
  REQUIRE(k.ok());
  return *k;
}

}  // namespace

TEST_CASE("replay cache: the same authenticator twice is a replay and others are not", "[acceptor][replay]") {
  ManualClock clock(fromUnixSeconds(kTestEpoch));
  ReplayCache cache(clock);
  REQUIRE(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, 1, 0xaa)).ok());
  auto again = cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, 1, 0xaa));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "replay");
  CHECK(
      again.error().detail ==
      "authenticator of alice@CONTOSO.TEST with ctime 20261123001023Z.1 was already accepted by this node's "
      "replay cache");
  // Any field that differs makes another authenticator.
  CHECK(cache.checkAndInsert(key("bob@CONTOSO.TEST", kTestEpoch, 1, 0xaa)).ok());
  CHECK(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, 2, 0xaa)).ok());
  CHECK(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch + 1, 1, 0xaa)).ok());
  CHECK(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, 1, 0xab)).ok());
  CHECK(cache.size() == 5);
}

TEST_CASE("replay cache: entries live for the window then expire with the clock", "[acceptor][replay]") {
  ManualClock clock(fromUnixSeconds(kTestEpoch));
  ReplayCache cache(clock);  // 300 s
  const ReplayKey k = key("alice@CONTOSO.TEST", kTestEpoch, 0, 1);
  REQUIRE(cache.checkAndInsert(k).ok());
  clock.advance(std::chrono::seconds(300));  // last instant of the window: still remembered
  CHECK(cache.checkAndInsert(k).error().code == "replay");
  clock.advance(Micros(1));
  CHECK(cache.purgeExpired() == 1);
  CHECK(cache.size() == 0);
  CHECK(cache.checkAndInsert(k).ok());

  SECTION("a client clock ahead keeps the entry until ctime + window") {
    ManualClock c2(fromUnixSeconds(kTestEpoch));
    ReplayCache ahead(c2);
    const ReplayKey future = key("alice@CONTOSO.TEST", kTestEpoch + 200, 0, 2);
    REQUIRE(ahead.checkAndInsert(future).ok());
    c2.advance(std::chrono::seconds(450));
    CHECK(ahead.checkAndInsert(future).error().code == "replay");
    c2.advance(std::chrono::seconds(51));
    CHECK(ahead.checkAndInsert(future).ok());
  }
}

TEST_CASE("replay cache: bounded and failing closed when full of live entries", "[acceptor][replay]") {
  ManualClock clock(fromUnixSeconds(kTestEpoch));
  ReplayCache cache(clock, ReplayCacheOptions{std::chrono::seconds(60), 3});
  for (std::uint8_t i = 0; i < 3; ++i) {
    REQUIRE(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, i, i)).ok());
  }
  auto full = cache.checkAndInsert(key("bob@CONTOSO.TEST", kTestEpoch, 0, 9));
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == "replay_cache_full");
  CHECK(full.error().detail.find("limit 3") != std::string::npos);
  // A replay is still told apart from a full cache.
  CHECK(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, 0, 0)).error().code == "replay");
  // Once entries expire there is room again: expired ones are evicted first.
  clock.advance(std::chrono::seconds(61));
  CHECK(cache.checkAndInsert(key("bob@CONTOSO.TEST", kTestEpoch + 61, 0, 9)).ok());
  CHECK(cache.size() == 1);
}

TEST_CASE("replay cache: concurrent inserts of one authenticator accept exactly one", "[acceptor][replay]") {
  ManualClock clock(fromUnixSeconds(kTestEpoch));
  ReplayCache cache(clock);
  const ReplayKey k = key("alice@CONTOSO.TEST", kTestEpoch, 5, 5);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (cache.checkAndInsert(k).ok()) {
          ++accepted;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(accepted.load() == 1);
}

TEST_CASE("replay cache: entries with mixed expiries are dropped in expiry order", "[acceptor][replay]") {
  ManualClock clock(fromUnixSeconds(kTestEpoch));
  ReplayCache cache(clock, ReplayCacheOptions{std::chrono::seconds(300), 10'000});
  // Odd entries come from a client clock 100 s ahead: they expire 100 s after the even ones (cusec i adds
  // at most 2 ms).
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t ctime = kTestEpoch + (i % 2 == 1 ? 100 : 0);
    REQUIRE(cache.checkAndInsert(key("alice@CONTOSO.TEST", ctime, i, static_cast<std::uint8_t>(i))).ok());
  }
  CHECK(cache.size() == 2000);
  clock.advance(std::chrono::seconds(301));
  CHECK(cache.purgeExpired() == 1000);
  CHECK(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch + 100, 1, 1)).error().code == "replay");
  CHECK(cache.checkAndInsert(key("alice@CONTOSO.TEST", kTestEpoch, 0, 0)).ok());
  clock.advance(std::chrono::seconds(100));
  CHECK(cache.purgeExpired() == 1000);
  CHECK(cache.size() == 1);
}
