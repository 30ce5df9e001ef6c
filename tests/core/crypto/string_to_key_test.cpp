#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/crypto/enctype.hpp"
#include "core/crypto/primitives.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using kerbpool::test::hexBytes;

TEST_CASE("AES string-to-key matches RFC 3962 appendix B", "[crypto][s2k]") {
  const auto doc = kerbpool::test::loadVectors("rfc3962-string-to-key.json");
  REQUIRE(doc.at("vectors").size() == 7);
  for (const auto& v : doc.at("vectors")) {
    const Bytes password = hexBytes(v.at("passphrase_hex"));
    const Bytes salt = hexBytes(v.at("salt_hex"));
    const Bytes params = hexBytes(v.at("s2kparams_hex"));
    const auto iterations = v.at("iteration_count").get<std::uint64_t>();
    INFO("salt " << v.at("salt_hex").get<std::string>() << ", " << iterations << " iterations");
    struct Case {
      std::int32_t etype;
      std::size_t keyBytes;
      const char* tkeyField;
      const char* keyField;
    };
    for (const Case& c : {Case{17, 16, "pbkdf2_128_hex", "aes128_key_hex"},
                          Case{18, 32, "pbkdf2_256_hex", "aes256_key_hex"}}) {
      INFO("etype " << c.etype);
      auto tkey = crypto::pbkdf2HmacSha1(password, salt, iterations, c.keyBytes);
      REQUIRE(tkey.ok());
      CHECK(toHex(*tkey) == v.at(c.tkeyField).get<std::string>());
      // The second derivation is answered by the process's string-to-key cache: the same key.
      for (int round = 0; round < 2; ++round) {
        INFO("round " << round);
        auto key = crypto::stringToKey(c.etype, toString(password), toString(salt), BytesView(params));
        REQUIRE(key.ok());
        CHECK(key->enctype == c.etype);
        CHECK(toHex(key->value) == v.at(c.keyField).get<std::string>());
      }
    }
  }
}

TEST_CASE("s2kparams default to 4096 iterations", "[crypto][s2k]") {
  const Bytes p4096{0x00, 0x00, 0x10, 0x00};
  auto implicit = crypto::stringToKey(18, "password", "ATHENA.MIT.EDUraeburn");
  auto explicitCount = crypto::stringToKey(18, "password", "ATHENA.MIT.EDUraeburn", BytesView(p4096));
  REQUIRE(implicit.ok());
  REQUIRE(explicitCount.ok());
  CHECK(implicit->value == explicitCount->value);
  auto one = crypto::stringToKey(18, "password", "ATHENA.MIT.EDUraeburn", BytesView(Bytes{0, 0, 0, 1}));
  REQUIRE(one.ok());
  CHECK(one->value != implicit->value);
}

TEST_CASE("bad s2kparams are refused with bad_s2kparams", "[crypto][s2k]") {
  const std::vector<Bytes> bad = {
      {},                              // present but empty
      {0x00, 0x10, 0x00},              // 3 bytes
      {0x00, 0x00, 0x10, 0x00, 0x00},  // 5 bytes
      {0x00, 0x00, 0x00, 0x00},        // 0 (would mean 2^32)
      {0x01, 0x00, 0x00, 0x00},        // 2^24
      {0xff, 0xff, 0xff, 0xff},
  };
  for (std::int32_t etype : {17, 18}) {
    for (const auto& p : bad) {
      INFO("etype " << etype << " s2kparams " << toHex(p));
      auto key = crypto::stringToKey(etype, "password", "salt", BytesView(p));
      REQUIRE_FALSE(key.ok());
      CHECK(key.error().category == ErrorCategory::Crypto);
      CHECK(key.error().code == "bad_s2kparams");
    }
  }
  // 2^24 - 1 is the largest accepted count (not run here: it would take seconds).
}

TEST_CASE("rc4-hmac string-to-key is MD4 of the UTF-16LE password, salt and params ignored",
          "[crypto][s2k]") {
  const auto doc = kerbpool::test::loadVectors("ms-nlmp-ntlmv2.json");
  const auto& v = doc.at("vectors").at(0);
  auto key = crypto::stringToKey(23, v.at("password").get<std::string>(), "ANY.REALMsalt",
                                 BytesView(Bytes{1, 2, 3}));
  REQUIRE(key.ok());
  CHECK(key->enctype == 23);
  CHECK(toHex(key->value) == v.at("nt_hash_ntowfv1_hex").get<std::string>());
  auto bad = crypto::stringToKey(23, "\xff\xfe", "");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_utf8");
}

TEST_CASE("string-to-key for an unknown enctype names it", "[crypto][s2k]") {
  auto key = crypto::stringToKey(16, "password", "salt");
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().category == ErrorCategory::Crypto);
  CHECK(key.error().code == "unsupported_enctype");
  CHECK(key.error().detail.find("16") != std::string::npos);
}
