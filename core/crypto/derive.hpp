#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

// RFC 3961 section 5.1/5.3 key derivation for the AES enctypes (internal to core/crypto; the public entry
// point is deriveKey() in enctype.hpp).
namespace kerbpool::core::crypto {

// Well-known constant suffixes (RFC 3961 section 5.3).
enum class DerivedKeyKind : std::uint8_t {
  Checksum = 0x99,    // Kc
  Encryption = 0xAA,  // Ke
  Integrity = 0x55,   // Ki
};

// usage (4 bytes big-endian) || kind.
Bytes usageConstant(std::uint32_t usage, DerivedKeyKind kind);

// DR(key, constant): K1 = E(key, n-fold(constant, 16)), K(i+1) = E(key, Ki), concatenated to key.size()
// bytes. For AES random-to-key is the identity, so this is also DK(key, constant).
Result<Bytes> deriveAesKey(BytesView key, BytesView constant);

// DK(key, usage || kind), memoized in derivedKeyCache() (derived_key_cache.hpp).
Result<Bytes> deriveUsageKey(BytesView key, std::uint32_t usage, DerivedKeyKind kind);

}  // namespace kerbpool::core::crypto
