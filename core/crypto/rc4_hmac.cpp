// rc4-hmac / arcfour-hmac (23), RFC 4757 sections 4-5 (non-export variant):
//   K1 = HMAC-MD5(key, le32(T)); cksum = HMAC-MD5(K1, confounder8 || plaintext);
//   K3 = HMAC-MD5(K1, cksum);    ciphertext = cksum || RC4(K3, confounder8 || plaintext).
// string-to-key is MD4(UTF-16LE(password)): no salt, no parameters.
#include "core/crypto/rc4_hmac.hpp"

#include <string>

#include "core/crypto/checksum.hpp"
#include "core/crypto/enctype_ops.hpp"
#include "core/crypto/primitives.hpp"
#include "core/crypto/scoped_wipe.hpp"
#include "core/crypto/utf16le.hpp"

namespace kerbpool::core::crypto {

std::uint32_t rc4MsUsage(std::uint32_t usage) {
  return usage == 3 ? 8 : usage;
}

Bytes rc4UsageBytes(std::uint32_t usage) {
  const std::uint32_t t = rc4MsUsage(usage);
  return Bytes{static_cast<std::uint8_t>(t), static_cast<std::uint8_t>(t >> 8),
               static_cast<std::uint8_t>(t >> 16), static_cast<std::uint8_t>(t >> 24)};
}

namespace {

// Salt and s2kparams are ignored, as the API documents (AD and MIT send none for rc4-hmac).
Result<Bytes> rc4StringToKey(const EnctypeInfo& /*info*/, std::string_view password,
                             std::string_view /*salt*/, std::optional<BytesView> /*s2kparams*/) {
  KP_TRY(Bytes utf16, utf8ToUtf16le(password));
  ScopedWipe wipe(utf16);
  return md4(utf16);
}

Result<Bytes> rc4Encrypt(const EnctypeInfo& /*info*/, BytesView key, std::uint32_t usage, BytesView plaintext,
                         BytesView confounder) {
  KP_TRY(Bytes k1, hmacMd5(key, rc4UsageBytes(usage)));
  ScopedWipe wipeK1(k1);
  Bytes inner(confounder.begin(), confounder.end());
  append(inner, plaintext);
  ScopedWipe wipeInner(inner);
  KP_TRY(Bytes out, hmacMd5(k1, inner));  // the checksum leads the ciphertext
  KP_TRY(Bytes k3, hmacMd5(k1, out));
  ScopedWipe wipeK3(k3);
  KP_TRY(Bytes sealed, rc4(k3, inner));
  append(out, sealed);
  return out;
}

Result<Bytes> rc4Decrypt(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView ciphertext) {
  if (ciphertext.size() < info.macBytes + info.confounderBytes) {
    return makeError(ErrorCategory::Decoding, "ciphertext_too_short",
                     std::string(info.name) + " ciphertext of " + std::to_string(ciphertext.size()) +
                         " bytes is shorter than checksum + confounder (" +
                         std::to_string(info.macBytes + info.confounderBytes) + ")");
  }
  const BytesView cksum = ciphertext.first(info.macBytes);
  KP_TRY(Bytes k1, hmacMd5(key, rc4UsageBytes(usage)));
  ScopedWipe wipeK1(k1);
  KP_TRY(Bytes k3, hmacMd5(k1, cksum));
  ScopedWipe wipeK3(k3);
  KP_TRY(Bytes inner, rc4(k3, ciphertext.subspan(info.macBytes)));
  ScopedWipe wipeInner(inner);
  KP_TRY(Bytes expected, hmacMd5(k1, inner));
  if (!constantTimeEqual(expected, cksum)) {
    return makeError(
        ErrorCategory::Integrity, "bad_integrity",
        std::string(info.name) + " checksum does not match (wrong key, usage or modified ciphertext)");
  }
  return Bytes(inner.begin() + static_cast<std::ptrdiff_t>(info.confounderBytes), inner.end());
}

}  // namespace

const EnctypeOps kRc4HmacOps = {
    .derives = false,
    .stringToKey = rc4StringToKey,
    .encrypt = rc4Encrypt,
    .decrypt = rc4Decrypt,
    .checksum = hmacMd5Rc4Checksum,
};

}  // namespace kerbpool::core::crypto
