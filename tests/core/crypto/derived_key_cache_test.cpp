#include "core/crypto/derived_key_cache.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "core/common/hex.hpp"
#include "core/crypto/derive.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using crypto::DerivedKeyCache;
using crypto::DerivedKeyKind;

namespace {

Bytes keyNumber(std::uint32_t n, std::size_t size = 32) {
  Bytes k(size, 0x5a);
  k[0] = static_cast<std::uint8_t>(n >> 24);
  k[1] = static_cast<std::uint8_t>(n >> 16);
  k[2] = static_cast<std::uint8_t>(n >> 8);
  k[3] = static_cast<std::uint8_t>(n);
  return k;
}

}  // namespace

TEST_CASE("derived key cache finds only the exact base key usage and kind", "[crypto][derive]") {
  DerivedKeyCache cache;
  const Bytes base = keyNumber(1);
  const Bytes derived(32, 0xd1);
  CHECK_FALSE(cache.find(base, 2, DerivedKeyKind::Encryption));
  cache.insert(base, 2, DerivedKeyKind::Encryption, derived);
  auto hit = cache.find(base, 2, DerivedKeyKind::Encryption);
  REQUIRE(hit);
  CHECK(*hit == derived);
  CHECK_FALSE(cache.find(base, 2, DerivedKeyKind::Integrity));
  CHECK_FALSE(cache.find(base, 3, DerivedKeyKind::Encryption));
  CHECK_FALSE(cache.find(keyNumber(2), 2, DerivedKeyKind::Encryption));
  CHECK_FALSE(cache.find(BytesView(base).first(16), 2, DerivedKeyKind::Encryption));
  CHECK(cache.size() == 1);
  cache.insert(base, 2, DerivedKeyKind::Encryption, derived);
  CHECK(cache.size() == 1);
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find(base, 2, DerivedKeyKind::Encryption));
}

TEST_CASE("derived key cache stays bounded and keeps recently used entries", "[crypto][derive]") {
  DerivedKeyCache cache;
  const std::size_t capacity = DerivedKeyCache::kSets * DerivedKeyCache::kWays;
  const Bytes hot = keyNumber(0xffffffff);
  cache.insert(hot, 2, DerivedKeyKind::Encryption, Bytes(32, 0x77));
  for (std::uint32_t n = 0; n < 4 * capacity; ++n) {
    cache.insert(keyNumber(n), 9, DerivedKeyKind::Encryption, keyNumber(n + 1));
    REQUIRE(cache.find(hot, 2, DerivedKeyKind::Encryption));  // touched: never the LRU of its set
  }
  CHECK(cache.size() <= capacity);
  // Whatever survived eviction is still the value inserted for it.
  std::size_t survivors = 0;
  for (std::uint32_t n = 0; n < 4 * capacity; ++n) {
    if (auto v = cache.find(keyNumber(n), 9, DerivedKeyKind::Encryption)) {
      CHECK(*v == keyNumber(n + 1));
      ++survivors;
    }
  }
  CHECK(survivors > 0);
  CHECK(survivors < capacity);
}

TEST_CASE("derived key cache ignores empty and oversized base keys", "[crypto][derive]") {
  DerivedKeyCache cache;
  cache.insert({}, 2, DerivedKeyKind::Checksum, Bytes(16, 1));
  cache.insert(Bytes(DerivedKeyCache::kMaxKeyBytes + 1, 3), 2, DerivedKeyKind::Checksum, Bytes(16, 1));
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find(Bytes(DerivedKeyCache::kMaxKeyBytes + 1, 3), 2, DerivedKeyKind::Checksum));
}

// deriveUsageKey goes through the process-wide cache: the second, cached answer must equal MIT's vector.
TEST_CASE("deriveUsageKey answers MIT t_derive vectors from the cache too", "[crypto][derive]") {
  const auto doc = kerbpool::test::loadVectors("mit-krb5-dk-aes.json");
  for (const auto& v : doc.at("vectors")) {
    const Bytes base = kerbpool::test::hexBytes(v.at("base_key_hex"));
    const Bytes constant = kerbpool::test::hexBytes(v.at("constant_hex"));
    REQUIRE(constant.size() == 5);
    const std::uint32_t usage = (std::uint32_t{constant[0]} << 24) | (std::uint32_t{constant[1]} << 16) |
                                (std::uint32_t{constant[2]} << 8) | constant[3];
    const auto kind = static_cast<DerivedKeyKind>(constant[4]);
    for (int round = 0; round < 2; ++round) {
      INFO(v.at("derived").get<std::string>() << " round " << round);
      auto dk = crypto::deriveUsageKey(base, usage, kind);
      REQUIRE(dk.ok());
      CHECK(toHex(*dk) == v.at("derived_key_hex").get<std::string>());
    }
  }
}

TEST_CASE("deriveUsageKey gives the same keys from concurrent threads", "[crypto][derive]") {
  constexpr int kThreads = 4;
  constexpr std::uint32_t kKeys = 64;
  std::vector<Bytes> expected;
  for (std::uint32_t n = 0; n < kKeys; ++n) {
    auto dk = crypto::deriveAesKey(keyNumber(n), crypto::usageConstant(7, DerivedKeyKind::Integrity));
    REQUIRE(dk.ok());
    expected.push_back(*dk);
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (std::uint32_t n = 0; n < kKeys; ++n) {
          auto dk = crypto::deriveUsageKey(keyNumber(n), 7, DerivedKeyKind::Integrity);
          mismatches[t] += (!dk.ok() || *dk != expected[n]) ? 1 : 0;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  for (int t = 0; t < kThreads; ++t) {
    CHECK(mismatches[t] == 0);
  }
}

TEST_CASE("usage keys from the folded-constant table equal DK of the usage constant", "[crypto][derive]") {
  // Usages below 64 take n-fold(usage || kind) from a table folded once, the others fold it on the spot:
  // both must give RFC 3961's DK(key, usage || kind).
  crypto::derivedKeyCache().clear();
  for (std::uint32_t usage : {0u, 1u, 2u, 7u, 24u, 63u, 64u, 65u, 1000u}) {
    for (auto kind : {DerivedKeyKind::Checksum, DerivedKeyKind::Encryption, DerivedKeyKind::Integrity}) {
      for (std::size_t size : {std::size_t{16}, std::size_t{32}}) {
        INFO("usage " << usage << " kind " << int(kind) << " key " << size);
        const Bytes key = keyNumber(usage + 100, size);
        auto viaUsage = crypto::deriveUsageKey(key, usage, kind);
        auto direct = crypto::deriveAesKey(key, crypto::usageConstant(usage, kind));
        REQUIRE(viaUsage.ok());
        REQUIRE(direct.ok());
        CHECK(*viaUsage == *direct);
        CHECK(viaUsage->size() == size);
      }
    }
  }
}
