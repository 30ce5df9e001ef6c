#pragma once

#include <cstddef>
#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/primitives.hpp"

// The calling thread's keyed OpenSSL contexts for RFC 3961 usage keys (internal to core/crypto).
//
// A KDC or a node opens and seals many messages under the same few keys (krbtgt's, a service's, a client's
// TGT session key) and usages. Setting an AES or HMAC key up costs more than the work on a short message:
// the key schedules, the HMAC pads, and the usage key derivation behind them. Each thread keeps the last
// kSlots (base key, usage) pairs it used with their Ke (AES-CBC, both directions), Ki and Kc (HMAC-SHA1)
// already keyed, as MIT keeps derived keys and cipher state on its krb5_key objects; a miss re-keys the
// least recently used slot's contexts in place (what one-shot calls cost before). Slots are per thread, so
// a context is never shared; a slot's key material lives in OpenSSL's contexts and a copy of the base key,
// both overwritten when the slot is reused and cleansed when the thread ends.
namespace kerbpool::core::crypto {

struct EncryptionKeys {
  AesCbcKey& ke;
  HmacSha1Key& ki;
};

// Ke and Ki of DK(baseKey, usage) for the AES enctypes (base key 16 or 32 bytes). The references stay valid
// until this thread's next call to either function.
Result<EncryptionKeys> threadEncryptionKeys(BytesView baseKey, std::uint32_t usage);
// Kc of DK(baseKey, usage).
Result<HmacSha1Key*> threadChecksumKey(BytesView baseKey, std::uint32_t usage);

// How many slots this thread has in use (tests).
std::size_t threadUsageKeySlots();
inline constexpr std::size_t kUsageKeySlots = 16;

}  // namespace kerbpool::core::crypto
