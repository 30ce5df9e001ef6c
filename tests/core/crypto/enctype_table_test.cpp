#include <catch2/catch.hpp>

#include "core/crypto/enctype.hpp"

using namespace kerbpool::core;

TEST_CASE("the enctype table lists 18, 17, 23 with their sizes", "[crypto][enctype]") {
  const auto& all = crypto::enctypes();
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == 18);
  CHECK(all[1].id == 17);
  CHECK(all[2].id == 23);

  const auto* aes256 = crypto::findEnctype(18);
  REQUIRE(aes256 != nullptr);
  CHECK(aes256->name == "aes256-cts-hmac-sha1-96");
  CHECK(aes256->keyBytes == 32);
  CHECK(aes256->seedBytes == 32);
  CHECK(aes256->confounderBytes == 16);
  CHECK(aes256->macBytes == 12);
  CHECK(aes256->checksumType == 16);
  CHECK(aes256->checksumBytes == 12);
  CHECK_FALSE(aes256->weak);

  const auto* aes128 = crypto::findEnctype(17);
  REQUIRE(aes128 != nullptr);
  CHECK(aes128->keyBytes == 16);
  CHECK(aes128->checksumType == 15);
  CHECK_FALSE(aes128->weak);

  const auto* rc4 = crypto::findEnctype(23);
  REQUIRE(rc4 != nullptr);
  CHECK(rc4->keyBytes == 16);
  CHECK(rc4->confounderBytes == 8);
  CHECK(rc4->macBytes == 16);
  CHECK(rc4->checksumType == -138);
  CHECK(rc4->checksumBytes == 16);
  CHECK(rc4->weak);

  CHECK(crypto::findEnctype(16) == nullptr);
  CHECK(crypto::findEnctype(0) == nullptr);
}

TEST_CASE("enctype lookup by name (MIT names and aliases) and by checksum", "[crypto][enctype]") {
  CHECK(crypto::findEnctypeByName("aes256-cts-hmac-sha1-96")->id == 18);
  CHECK(crypto::findEnctypeByName("AES128-CTS")->id == 17);
  CHECK(crypto::findEnctypeByName("rc4-hmac")->id == 23);
  CHECK(crypto::findEnctypeByName("arcfour-hmac")->id == 23);
  CHECK(crypto::findEnctypeByName("des3-cbc-sha1") == nullptr);
  CHECK(crypto::findEnctypeByName("") == nullptr);
  CHECK(crypto::findEnctypeByChecksum(15)->id == 17);
  CHECK(crypto::findEnctypeByChecksum(16)->id == 18);
  CHECK(crypto::findEnctypeByChecksum(-138)->id == 23);
  CHECK(crypto::findEnctypeByChecksum(0x8003) == nullptr);
}
