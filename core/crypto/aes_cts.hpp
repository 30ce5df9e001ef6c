#pragma once

#include <array>
#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/primitives.hpp"

// AES-CBC-CTS (RFC 3962 section 5) under a keyed AesCbcKey (internal to core/crypto; enctype.hpp has the
// one-shot versions that take the key's octets).
namespace kerbpool::core::crypto {

// The IV RFC 3961's simplified profile encrypts under (and CTS's stolen block is decrypted with).
inline constexpr std::array<std::uint8_t, kAesBlockBytes> kAesZeroIv{};

// Encrypts `data` in place (at least one block; its size does not change).
Status aesCtsEncryptInPlace(AesCbcKey& key, BytesView iv, Bytes& data);
// Decrypts `data` in place (at least one block).
Status aesCtsDecryptInPlace(AesCbcKey& key, BytesView iv, Bytes& data);

}  // namespace kerbpool::core::crypto
