#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using kerbpool::test::hexBytes;

TEST_CASE("DK(key, usage || kind) matches MIT t_derive for AES", "[crypto][derive]") {
  const auto doc = kerbpool::test::loadVectors("mit-krb5-dk-aes.json");
  REQUIRE(doc.at("vectors").size() == 6);
  for (const auto& v : doc.at("vectors")) {
    INFO(v.at("enctype_name").get<std::string>() << " " << v.at("derived").get<std::string>());
    const crypto::Key base{v.at("etype").get<std::int32_t>(), hexBytes(v.at("base_key_hex"))};
    const Bytes constant = hexBytes(v.at("constant_hex"));
    REQUIRE(constant.size() == 5);
    CHECK(constant[0] == 0);  // usage 2, big-endian
    CHECK(constant[3] == v.at("usage").get<int>());
    auto dk = crypto::deriveKey(base, constant);
    REQUIRE(dk.ok());
    CHECK(toHex(*dk) == v.at("derived_key_hex").get<std::string>());
  }
}

TEST_CASE("deriveKey refuses rc4-hmac, unknown enctypes and bad key lengths", "[crypto][derive]") {
  auto rc4 = crypto::deriveKey(crypto::Key{23, Bytes(16, 1)}, asBytes("kerberos"));
  REQUIRE_FALSE(rc4.ok());
  CHECK(rc4.error().code == "unsupported_enctype");
  auto unknown = crypto::deriveKey(crypto::Key{99, Bytes(16, 1)}, asBytes("kerberos"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == "unsupported_enctype");
  CHECK(unknown.error().detail.find("99") != std::string::npos);
  auto badLen = crypto::deriveKey(crypto::Key{18, Bytes(16, 1)}, asBytes("kerberos"));
  REQUIRE_FALSE(badLen.ok());
  CHECK(badLen.error().code == "bad_key_length");
  CHECK(badLen.error().category == ErrorCategory::Crypto);
}
