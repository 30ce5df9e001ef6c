// Keyed checksums: hmac-sha1-96-aes128/256 (15/16, RFC 3962 section 7) and hmac-md5 (-138, RFC 4757).
#include "core/crypto/checksum.hpp"

#include <array>
#include <string>

#include "core/crypto/enctype_ops.hpp"
#include "core/crypto/primitives.hpp"
#include "core/crypto/rc4_hmac.hpp"
#include "core/crypto/scoped_wipe.hpp"
#include "core/crypto/usage_keys.hpp"

namespace kerbpool::core::crypto {

Result<Bytes> hmacSha196Checksum(const EnctypeInfo& info, BytesView key, std::uint32_t usage,
                                 BytesView data) {
  KP_TRY(HmacSha1Key * kc, threadChecksumKey(key, usage));
  std::array<std::uint8_t, kSha1Bytes> mac{};
  KP_CHECK(kc->mac(data, mac));
  return Bytes(mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(info.checksumBytes));
}

Result<Bytes> hmacMd5Rc4Checksum(const EnctypeInfo& /*info*/, BytesView key, std::uint32_t usage,
                                 BytesView data) {
  static constexpr std::uint8_t kSignatureKey[] = {'s', 'i', 'g', 'n', 'a', 't', 'u',
                                                   'r', 'e', 'k', 'e', 'y', 0};
  KP_TRY(Bytes ksign, hmacMd5(key, kSignatureKey));
  ScopedWipe wipeKsign(ksign);
  Bytes hashed = rc4UsageBytes(usage);
  append(hashed, data);
  KP_TRY(Bytes tmp, md5(hashed));
  return hmacMd5(ksign, tmp);
}

Result<Bytes> makeChecksum(const Key& key, std::uint32_t usage, BytesView data) {
  KP_TRY(const EnctypeEntry* e, checkKey(key));
  return e->ops->checksum(e->info, key.value, usage, data);
}

Status verifyChecksum(const Key& key, std::uint32_t usage, std::int32_t checksumType, BytesView data,
                      BytesView checksum) {
  KP_TRY(const EnctypeEntry* e, checkKey(key));
  if (findEnctypeByChecksum(checksumType) == nullptr) {
    return makeError(ErrorCategory::Crypto, "unsupported_checksum_type",
                     "checksum type " + std::to_string(checksumType) + " is not supported");
  }
  if (checksumType != e->info.checksumType) {
    return makeError(ErrorCategory::Crypto, "checksum_type_mismatch",
                     "checksum type " + std::to_string(checksumType) + " does not belong to " +
                         std::string(e->info.name) + " (expects " + std::to_string(e->info.checksumType) +
                         ")");
  }
  KP_TRY(Bytes expected, e->ops->checksum(e->info, key.value, usage, data));
  if (!constantTimeEqual(expected, checksum)) {
    return makeError(ErrorCategory::Integrity, "bad_integrity",
                     "checksum type " + std::to_string(checksumType) + " does not verify");
  }
  return okStatus();
}

}  // namespace kerbpool::core::crypto
