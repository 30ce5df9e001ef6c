#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using kerbpool::test::hexBytes;

namespace {

struct Vector {
  crypto::Key key;
  std::uint32_t usage;
  Bytes plaintext;
  Bytes ciphertext;
  Bytes confounder;
};

std::vector<Vector> loadEncryptVectors() {
  const auto doc = kerbpool::test::loadVectors("mit-krb5-encrypt-decrypt.json");
  std::vector<Vector> out;
  for (const auto& v : doc.at("vectors")) {
    out.push_back({crypto::Key{v.at("etype").get<std::int32_t>(), hexBytes(v.at("key_hex"))},
                   v.at("usage").get<std::uint32_t>(), hexBytes(v.at("plaintext_hex")),
                   hexBytes(v.at("ciphertext_hex")), hexBytes(v.at("confounder_hex_derived"))});
  }
  REQUIRE(out.size() == 15);
  return out;
}

// Which part of the message a byte offset falls in, for failure messages.
std::string positionClass(std::int32_t etype, std::size_t offset, std::size_t size) {
  if (etype == 23) {
    return offset < 16 ? "checksum" : offset < 24 ? "confounder" : "body";
  }
  // AES-CTS keeps the confounder's block first unless the whole CTS input is under two blocks.
  return offset >= size - 12 ? "mac" : offset < 16 ? "confounder block" : "body";
}

void requireError(const Result<Bytes>& r, ErrorCategory category, const std::string& code) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category == category);
  CHECK(r.error().code == code);
}

}  // namespace

TEST_CASE("MIT t_decrypt vectors decrypt, and re-encrypt with their confounder", "[crypto][encrypt]") {
  const auto doc = kerbpool::test::loadVectors("mit-krb5-encrypt-decrypt.json");
  for (const auto& v : doc.at("vectors")) {
    const std::int32_t etype = v.at("etype").get<std::int32_t>();
    const auto usage = v.at("usage").get<std::uint32_t>();
    INFO("etype " << etype << " usage " << usage);
    const crypto::Key key{etype, hexBytes(v.at("key_hex"))};
    const Bytes plaintext = hexBytes(v.at("plaintext_hex"));
    const Bytes ciphertext = hexBytes(v.at("ciphertext_hex"));

    auto dec = crypto::decrypt(key, usage, ciphertext);
    REQUIRE(dec.ok());
    CHECK(toHex(*dec) == toHex(plaintext));

    auto enc = crypto::encryptWithConfounder(key, usage, plaintext, hexBytes(v.at("confounder_hex_derived")));
    REQUIRE(enc.ok());
    CHECK(toHex(*enc) == toHex(ciphertext));

    if (etype != 23) {  // the derived Ke and Ki, via the public DK
      const Bytes u{0, 0, 0, static_cast<std::uint8_t>(usage)};
      Bytes ke = u, ki = u;
      ke.push_back(0xaa);
      ki.push_back(0x55);
      CHECK(toHex(crypto::deriveKey(key, ke).value()) == v.at("ke_hex_derived").get<std::string>());
      CHECK(toHex(crypto::deriveKey(key, ki).value()) == v.at("ki_hex_derived").get<std::string>());
    }
  }
}

TEST_CASE("a flipped bit anywhere in the ciphertext is bad_integrity", "[crypto][encrypt][negative]") {
  for (const auto& v : loadEncryptVectors()) {
    for (std::size_t i = 0; i < v.ciphertext.size(); ++i) {
      INFO("etype " << v.key.enctype << " usage " << v.usage << " byte " << i << " ("
                    << positionClass(v.key.enctype, i, v.ciphertext.size()) << ")");
      Bytes tampered = v.ciphertext;
      tampered[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
      requireError(crypto::decrypt(v.key, v.usage, tampered), ErrorCategory::Integrity, "bad_integrity");
    }
  }
}

TEST_CASE("wrong key or wrong usage is bad_integrity", "[crypto][encrypt][negative]") {
  for (const auto& v : loadEncryptVectors()) {
    INFO("etype " << v.key.enctype << " usage " << v.usage);
    crypto::Key wrong = v.key;
    wrong.value[0] ^= 0x01;
    requireError(crypto::decrypt(wrong, v.usage, v.ciphertext), ErrorCategory::Integrity, "bad_integrity");
    requireError(crypto::decrypt(v.key, v.usage + 1, v.ciphertext), ErrorCategory::Integrity,
                 "bad_integrity");
  }
}

TEST_CASE("rc4-hmac hashes usage 3 as 8 and keeps 9 as 9", "[crypto][encrypt]") {
  const crypto::Key key{23, Bytes(16, 0x23)};
  const Bytes conf(8, 0x11);
  const Bytes plain = toBytes("AS-REP enc-part");
  auto as3 = crypto::encryptWithConfounder(key, 3, plain, conf);
  auto as8 = crypto::encryptWithConfounder(key, 8, plain, conf);
  auto as9 = crypto::encryptWithConfounder(key, 9, plain, conf);
  REQUIRE(as3.ok());
  REQUIRE(as8.ok());
  REQUIRE(as9.ok());
  CHECK(*as3 == *as8);
  CHECK(*as9 != *as8);
  CHECK(crypto::decrypt(key, 8, *as3).ok());
}

TEST_CASE("short ciphertexts are ciphertext_too_short, short-by-one-byte ones fail integrity",
          "[crypto][encrypt][negative]") {
  for (const auto& v : loadEncryptVectors()) {
    const auto* info = crypto::findEnctype(v.key.enctype);
    REQUIRE(info != nullptr);
    const std::size_t minimum = info->confounderBytes + info->macBytes;
    INFO("etype " << v.key.enctype << " usage " << v.usage);
    for (std::size_t len : {std::size_t{0}, std::size_t{1}, minimum - 1}) {
      requireError(
          crypto::decrypt(v.key, v.usage, BytesView(v.ciphertext).first(std::min(len, v.ciphertext.size()))),
          ErrorCategory::Decoding, "ciphertext_too_short");
    }
    requireError(crypto::decrypt(v.key, v.usage, BytesView(v.ciphertext).first(v.ciphertext.size() - 1)),
                 v.ciphertext.size() - 1 < minimum ? ErrorCategory::Decoding : ErrorCategory::Integrity,
                 v.ciphertext.size() - 1 < minimum ? "ciphertext_too_short" : "bad_integrity");
    requireError(crypto::decrypt(v.key, v.usage, Bytes(minimum, 0)), ErrorCategory::Integrity,
                 "bad_integrity");
  }
}

TEST_CASE("unknown enctype, bad key length and bad confounder length are typed",
          "[crypto][encrypt][negative]") {
  SeededRng rng(7);
  const Bytes plain = toBytes("x");
  auto unknown = crypto::encrypt(crypto::Key{99, Bytes(16, 0)}, 1, plain, rng);
  requireError(unknown, ErrorCategory::Crypto, "unsupported_enctype");
  CHECK(unknown.error().detail.find("99") != std::string::npos);
  requireError(crypto::decrypt(crypto::Key{-5, Bytes(16, 0)}, 1, Bytes(40, 0)), ErrorCategory::Crypto,
               "unsupported_enctype");
  for (auto [etype, wrongLen] : {std::pair{17, 32}, std::pair{18, 16}, std::pair{23, 0}, std::pair{23, 32}}) {
    INFO("etype " << etype << " key of " << wrongLen);
    const crypto::Key key{etype, Bytes(static_cast<std::size_t>(wrongLen), 1)};
    requireError(crypto::encrypt(key, 1, plain, rng), ErrorCategory::Crypto, "bad_key_length");
    requireError(crypto::decrypt(key, 1, Bytes(64, 0)), ErrorCategory::Crypto, "bad_key_length");
    requireError(crypto::makeChecksum(key, 1, plain), ErrorCategory::Crypto, "bad_key_length");
  }
  requireError(crypto::encryptWithConfounder(crypto::Key{18, Bytes(32, 1)}, 1, plain, Bytes(8, 0)),
               ErrorCategory::Crypto, "bad_confounder_length");
  auto badSeed = crypto::randomToKey(17, Bytes(15, 0));
  REQUIRE_FALSE(badSeed.ok());
  CHECK(badSeed.error().code == "bad_key_length");
}

TEST_CASE("encrypt then decrypt round-trips lengths 0..70 for 17, 18 and 23", "[crypto][encrypt]") {
  SeededRng rng(20240229);
  for (std::int32_t etype : {17, 18, 23}) {
    auto key = crypto::generateKey(etype, rng);
    REQUIRE(key.ok());
    const auto* info = crypto::findEnctype(etype);
    REQUIRE(info != nullptr);
    REQUIRE(key->value.size() == info->keyBytes);
    for (std::size_t n = 0; n <= 70; ++n) {
      INFO("etype " << etype << " length " << n);
      const Bytes plain = rng.bytes(n);
      const auto usage = static_cast<std::uint32_t>(1 + n % 12);
      auto enc = crypto::encrypt(*key, usage, plain, rng);
      REQUIRE(enc.ok());
      CHECK(enc->size() == n + info->confounderBytes + info->macBytes);
      auto dec = crypto::decrypt(*key, usage, *enc);
      REQUIRE(dec.ok());
      CHECK(*dec == plain);
    }
  }
}
