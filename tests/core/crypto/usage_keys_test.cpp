#include "core/crypto/usage_keys.hpp"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "core/crypto/checksum.hpp"
#include "core/crypto/derive.hpp"
#include "core/crypto/enctype.hpp"
#include "core/crypto/primitives.hpp"
#include "core/iana/etype.hpp"

using namespace kerbpool::core;
using crypto::DerivedKeyKind;

namespace {

Bytes usageKeyTestBytes(std::uint32_t n, std::size_t size) {
  Bytes k(size, 0x3c);
  for (std::size_t i = 0; i < 4; ++i) {
    k[i] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
  }
  return k;
}

crypto::Key usageKeyTestKey(std::uint32_t n, bool aes256 = true) {
  return crypto::Key{
      static_cast<std::int32_t>(aes256 ? iana::EType::Aes256CtsHmacSha196 : iana::EType::Aes128CtsHmacSha196),
      usageKeyTestBytes(n, aes256 ? 32 : 16)};
}

// RFC 3961/3962 spelled out with the one-shot primitives: DK for Ke and Ki, AES-CTS under Ke with a zero
// IV, HMAC-SHA1 under Ki truncated to 96 bits.
Bytes sealedByHand(const crypto::Key& key, std::uint32_t usage, BytesView confounder, BytesView plaintext) {
  const Bytes ke = crypto::deriveKey(key, crypto::usageConstant(usage, DerivedKeyKind::Encryption)).value();
  const Bytes ki = crypto::deriveKey(key, crypto::usageConstant(usage, DerivedKeyKind::Integrity)).value();
  Bytes inner(confounder.begin(), confounder.end());
  append(inner, plaintext);
  Bytes out = crypto::aesCtsEncrypt(ke, Bytes(16, 0), inner).value();
  const Bytes mac = crypto::hmacSha1(ki, inner).value();
  append(out, BytesView(mac).first(12));
  return out;
}

}  // namespace

TEST_CASE("AesCbcKey gives one-shot AES-CBC's answers across IVs and key sizes", "[crypto][usage-keys]") {
  crypto::AesCbcKey keyed;
  Bytes data(64);
  for (std::size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<std::uint8_t>(i * 7);
  }
  CHECK_FALSE(keyed.encryptInPlace(Bytes(16, 0), data));  // no key yet
  for (const std::size_t size : {16u, 32u, 16u}) {
    const Bytes key = usageKeyTestBytes(static_cast<std::uint32_t>(size), size);
    REQUIRE(keyed.setKey(key));
    for (std::uint8_t ivByte : {0x00, 0x11, 0xee}) {
      const Bytes iv(16, ivByte);
      Bytes inPlace = data;
      REQUIRE(keyed.encryptInPlace(iv, inPlace));
      CHECK(inPlace == crypto::aesCbcEncrypt(key, iv, data).value());
      REQUIRE(keyed.decryptInPlace(iv, inPlace));
      CHECK(inPlace == data);
    }
  }
  CHECK_FALSE(keyed.setKey(Bytes(24, 1)));
  Bytes partial(17, 0);
  CHECK_FALSE(keyed.encryptInPlace(Bytes(16, 0), partial));
}

TEST_CASE("HmacSha1Key gives one-shot HMAC-SHA1's answers message after message", "[crypto][usage-keys]") {
  crypto::HmacSha1Key keyed;
  std::array<std::uint8_t, crypto::kSha1Bytes> mac{};
  CHECK_FALSE(keyed.mac(Bytes(3, 1), mac));
  for (const std::size_t size : {16u, 32u, 80u}) {  // 80: longer than SHA-1's block, hashed first
    const Bytes key = usageKeyTestBytes(static_cast<std::uint32_t>(size), size);
    REQUIRE(keyed.setKey(key));
    for (const std::size_t length : {0u, 1u, 64u, 1000u}) {
      const Bytes message(length, static_cast<std::uint8_t>(length));
      REQUIRE(keyed.mac(message, mac));
      CHECK(Bytes(mac.begin(), mac.end()) == crypto::hmacSha1(key, message).value());
    }
  }
}

TEST_CASE("thread usage keys seal as RFC 3962 does and stay bounded", "[crypto][usage-keys]") {
  const Bytes confounder(16, 0xc0);
  const Bytes plaintext = toBytes("a message longer than one block, not a multiple of sixteen");
  const crypto::Key hot = usageKeyTestKey(1);
  for (std::uint32_t n = 0; n < 3 * crypto::kUsageKeySlots; ++n) {
    const crypto::Key other = usageKeyTestKey(100 + n, n % 2 == 0);
    const std::uint32_t usage = 1 + n % 5;
    auto sealed = crypto::encryptWithConfounder(other, usage, plaintext, confounder);
    REQUIRE(sealed);
    CHECK(*sealed == sealedByHand(other, usage, confounder, plaintext));
    auto opened = crypto::decrypt(other, usage, *sealed);
    REQUIRE(opened);
    CHECK(*opened == plaintext);
    // The same key under another usage is another slot with other keys.
    CHECK_FALSE(crypto::decrypt(other, usage + 1, *sealed));
    // A key used all along stays right whether or not it is still in a slot.
    auto hotSealed = crypto::encryptWithConfounder(hot, 2, plaintext, confounder);
    REQUIRE(hotSealed);
    CHECK(*hotSealed == sealedByHand(hot, 2, confounder, plaintext));
    CHECK(crypto::threadUsageKeySlots() <= crypto::kUsageKeySlots);
  }
  CHECK(crypto::threadUsageKeySlots() == crypto::kUsageKeySlots);
}

TEST_CASE("thread usage keys: checksums match Kc by hand and other threads agree", "[crypto][usage-keys]") {
  const crypto::Key key = usageKeyTestKey(7, false);
  const Bytes data = toBytes("checksummed");
  const Bytes kc = crypto::deriveKey(key, crypto::usageConstant(17, DerivedKeyKind::Checksum)).value();
  Bytes byHand = crypto::hmacSha1(kc, data).value();
  byHand.resize(12);
  auto here = crypto::makeChecksum(key, 17, data);
  REQUIRE(here);
  CHECK(*here == byHand);
  auto sealed = crypto::encryptWithConfounder(key, 17, data, Bytes(16, 9));
  REQUIRE(sealed);
  std::vector<Bytes> checksums(4);
  std::vector<bool> opened(4, false);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < checksums.size(); ++t) {
    threads.emplace_back([&, t] {
      auto c = crypto::makeChecksum(key, 17, data);
      checksums[t] = c ? *c : Bytes{};
      auto p = crypto::decrypt(key, 17, *sealed);
      opened[t] = p && *p == data;
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (std::size_t t = 0; t < checksums.size(); ++t) {
    CHECK(checksums[t] == byHand);
    CHECK(opened[t]);
  }
}
