#pragma once

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/primitives.hpp"

// AES-CBC-CTS (RFC 3962 section 5) under a keyed AesCbcKey (internal to core/crypto; enctype.hpp has the
// one-shot versions that take the key's octets).
namespace kerbpool::core::crypto {

// Encrypts `data` in place (at least one block; its size does not change).
Status aesCtsEncryptInPlace(AesCbcKey& key, BytesView iv, Bytes& data);
// Decrypts `data` in place (at least one block).
Status aesCtsDecryptInPlace(AesCbcKey& key, BytesView iv, Bytes& data);

}  // namespace kerbpool::core::crypto
