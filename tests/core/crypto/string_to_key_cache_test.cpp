#include "core/crypto/string_to_key_cache.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/crypto/enctype.hpp"

using namespace kerbpool::core;
using crypto::StringToKeyCache;

TEST_CASE("string-to-key cache finds only the exact enctype iteration count password and salt",
          "[crypto][s2k]") {
  StringToKeyCache cache;
  const Bytes key(16, 0x4b);
  CHECK_FALSE(cache.find(17, 4096, "password", "REALMuser"));
  cache.insert(17, 4096, "password", "REALMuser", key);
  auto hit = cache.find(17, 4096, "password", "REALMuser");
  REQUIRE(hit);
  CHECK(*hit == key);
  CHECK(cache.hits() == 1);
  CHECK_FALSE(cache.find(18, 4096, "password", "REALMuser"));
  CHECK_FALSE(cache.find(17, 4097, "password", "REALMuser"));
  CHECK_FALSE(cache.find(17, 4096, "Password", "REALMuser"));
  CHECK_FALSE(cache.find(17, 4096, "password", "REALMUser"));
  // The password's length is part of the entry: moving characters between password and salt is a miss.
  CHECK_FALSE(cache.find(17, 4096, "passwordR", "EALMuser"));
  CHECK_FALSE(cache.find(17, 4096, "passwor", "dREALMuser"));
  CHECK(cache.hits() == 1);
  CHECK(cache.size() == 1);
}

TEST_CASE("string-to-key cache drops its oldest entries beyond its bound and forgets all on clear",
          "[crypto][s2k]") {
  StringToKeyCache cache;
  const Bytes key(32, 0x11);
  for (std::size_t i = 0; i <= StringToKeyCache::kMaxEntries; ++i) {
    cache.insert(18, 4096, "pw", "SALT" + std::to_string(i), key);
  }
  CHECK(cache.size() == StringToKeyCache::kMaxEntries);
  CHECK_FALSE(cache.find(18, 4096, "pw", "SALT0"));
  CHECK(cache.find(18, 4096, "pw", "SALT1"));
  CHECK(cache.find(18, 4096, "pw", "SALT" + std::to_string(StringToKeyCache::kMaxEntries)));
  // Inserting a known entry again neither duplicates nor evicts.
  cache.insert(18, 4096, "pw", "SALT1", key);
  CHECK(cache.size() == StringToKeyCache::kMaxEntries);
  CHECK(cache.find(18, 4096, "pw", "SALT2"));
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find(18, 4096, "pw", "SALT1"));
}

TEST_CASE("stringToKey answers a repeated AES derivation from the process cache and rc4-hmac is not cached",
          "[crypto][s2k]") {
  auto& cache = crypto::stringToKeyCache();
  const std::string salt =
      "CACHE.TESTstring-to-key-" + std::to_string(reinterpret_cast<std::uintptr_t>(&cache));
  for (const std::int32_t etype : {17, 18}) {
    INFO("etype " << etype);
    const auto before = cache.hits();
    auto first = crypto::stringToKey(etype, "a password", salt);
    REQUIRE(first.ok());
    CHECK(cache.hits() == before);
    auto second = crypto::stringToKey(etype, "a password", salt);
    REQUIRE(second.ok());
    CHECK(cache.hits() == before + 1);
    CHECK(second->value == first->value);
    auto other = crypto::stringToKey(etype, "another password", salt);
    REQUIRE(other.ok());
    CHECK(other->value != first->value);
    CHECK(cache.hits() == before + 1);
  }
  const auto before = cache.hits();
  REQUIRE(crypto::stringToKey(23, "a password", salt).ok());
  REQUIRE(crypto::stringToKey(23, "a password", salt).ok());
  CHECK(cache.hits() == before);
}
