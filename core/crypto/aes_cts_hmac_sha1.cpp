// aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18): RFC 3962 on the RFC 3961 simplified
// profile. Ciphertext = AES-CTS(Ke, IV 0, confounder || plaintext) || HMAC-SHA1(Ki, confounder ||
// plaintext)[0..12). The HMAC covers the plaintext, not the ciphertext.
#include <array>
#include <string>

#include "core/crypto/aes_cts.hpp"
#include "core/crypto/checksum.hpp"
#include "core/crypto/derive.hpp"
#include "core/crypto/enctype_ops.hpp"
#include "core/crypto/primitives.hpp"
#include "core/crypto/scoped_wipe.hpp"
#include "core/crypto/string_to_key_cache.hpp"
#include "core/crypto/usage_keys.hpp"

namespace kerbpool::core::crypto {

namespace {

constexpr std::uint32_t kDefaultIterations = 4096;
constexpr std::uint32_t kMaxIterations = 1u << 24;  // MIT s2k_pbkdf2.c: counts at or above 2^24 are refused

// s2kparams: the iteration count, 4 bytes big-endian (RFC 3962 section 4). Low counts are accepted here:
// which counts to allow is KDC/client policy.
Result<std::uint32_t> iterationCount(const EnctypeInfo& info, std::optional<BytesView> s2kparams) {
  if (!s2kparams) {
    return kDefaultIterations;
  }
  const BytesView p = *s2kparams;
  if (p.size() != 4) {
    return makeError(ErrorCategory::Crypto, "bad_s2kparams",
                     std::string(info.name) + " s2kparams must be 4 bytes, got " + std::to_string(p.size()));
  }
  const std::uint32_t count = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                              (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
  if (count == 0 || count >= kMaxIterations) {
    return makeError(
        ErrorCategory::Crypto, "bad_s2kparams",
        std::string(info.name) + " iteration count " + std::to_string(count) + " is outside 1..16777215");
  }
  return count;
}

// tkey = PBKDF2-HMAC-SHA1(password, salt, iterations, keyBytes); key = DK(tkey, "kerberos").
Result<Bytes> aesStringToKey(const EnctypeInfo& info, std::string_view password, std::string_view salt,
                             std::optional<BytesView> s2kparams) {
  KP_TRY(const std::uint32_t iterations, iterationCount(info, s2kparams));
  StringToKeyCache& cache = stringToKeyCache();
  if (auto known = cache.find(info.id, iterations, password, salt)) {
    return std::move(*known);
  }
  KP_TRY(Bytes tkey, pbkdf2HmacSha1(asBytes(password), asBytes(salt), iterations, info.keyBytes));
  ScopedWipe wipeTkey(tkey);
  KP_TRY(Bytes key, deriveAesKey(tkey, asBytes("kerberos")));
  cache.insert(info.id, iterations, password, salt, key);
  return key;
}

Result<Bytes> aesEncrypt(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView plaintext,
                         BytesView confounder) {
  KP_TRY(EncryptionKeys keys, threadEncryptionKeys(key, usage));
  // confounder || plaintext, MACed, then encrypted in the same buffer; the MAC goes after it.
  Bytes out;
  out.reserve(confounder.size() + plaintext.size() + info.macBytes);
  append(out, confounder);
  append(out, plaintext);
  std::array<std::uint8_t, kSha1Bytes> mac{};
  Status sealed = keys.ki.mac(out, mac);
  if (sealed) {
    sealed = aesCtsEncryptInPlace(keys.ke, kAesZeroIv, out);
  }
  if (!sealed) {
    secureWipe(out);  // it may still hold the plaintext
    return std::move(sealed).error();
  }
  append(out, BytesView(mac).first(info.macBytes));
  return out;
}

Result<Bytes> aesDecrypt(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView ciphertext) {
  if (ciphertext.size() < info.confounderBytes + info.macBytes) {
    return makeError(ErrorCategory::Decoding, "ciphertext_too_short",
                     std::string(info.name) + " ciphertext of " + std::to_string(ciphertext.size()) +
                         " bytes is shorter than confounder + MAC (" +
                         std::to_string(info.confounderBytes + info.macBytes) + ")");
  }
  const BytesView body = ciphertext.first(ciphertext.size() - info.macBytes);
  const BytesView mac = ciphertext.last(info.macBytes);
  KP_TRY(EncryptionKeys keys, threadEncryptionKeys(key, usage));
  Bytes inner(body.begin(), body.end());
  ScopedWipe wipeInner(inner);
  KP_CHECK(aesCtsDecryptInPlace(keys.ke, kAesZeroIv, inner));
  std::array<std::uint8_t, kSha1Bytes> expected{};
  KP_CHECK(keys.ki.mac(inner, expected));
  if (!constantTimeEqual(BytesView(expected).first(info.macBytes), mac)) {
    return makeError(
        ErrorCategory::Integrity, "bad_integrity",
        std::string(info.name) + " HMAC does not match (wrong key, usage or modified ciphertext)");
  }
  return Bytes(inner.begin() + static_cast<std::ptrdiff_t>(info.confounderBytes), inner.end());
}

}  // namespace

const EnctypeOps kAesCtsHmacSha1Ops = {
    .derives = true,
    .stringToKey = aesStringToKey,
    .encrypt = aesEncrypt,
    .decrypt = aesDecrypt,
    .checksum = hmacSha196Checksum,
};

}  // namespace kerbpool::core::crypto
