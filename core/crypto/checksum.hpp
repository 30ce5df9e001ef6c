#pragma once

#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"

// Keyed checksum hooks (internal; the public entry points are makeChecksum/verifyChecksum in enctype.hpp).
namespace kerbpool::core::crypto {

// 15 / 16: HMAC-SHA1(Kc, data)[0..checksumBytes), Kc = DK(key, usage || 0x99) (RFC 3962 section 7).
Result<Bytes> hmacSha196Checksum(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView data);
// -138 (RFC 4757 section 4): HMAC-MD5(HMAC-MD5(key, "signaturekey\0"), MD5(le32(T) || data)), T being the
// translated usage (rc4MsUsage).
Result<Bytes> hmacMd5Rc4Checksum(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView data);

}  // namespace kerbpool::core::crypto
