#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"

namespace kerbpool::core::crypto {

// A protocol key: an enctype number (RFC 3961 registry) and its key octets.
struct Key {
  std::int32_t enctype = 0;
  Bytes value;
};

// One row of the enctype table: what an enctype is and what it needs (after MIT's etypes.c).
struct EnctypeInfo {
  std::int32_t id;
  std::string_view name;        // MIT spelling: "aes256-cts-hmac-sha1-96"
  std::size_t keyBytes;         // protocol key size
  std::size_t seedBytes;        // random-to-key input size
  std::size_t confounderBytes;  // = cipher block size
  std::size_t macBytes;         // truncated HMAC appended to ciphertexts
  std::int32_t checksumType;    // keyed checksum that goes with it (15, 16, -138)
  std::size_t checksumBytes;
  bool weak;  // deprecated (rc4-hmac)
};

// The single registry of supported enctypes, strongest first. Unknown ids -> nullptr.
const std::vector<EnctypeInfo>& enctypes();
const EnctypeInfo* findEnctype(std::int32_t id);
const EnctypeInfo* findEnctypeByName(std::string_view name);
// Enctype whose keyed checksum is this checksum type (15 -> 17, 16 -> 18, -138 -> 23).
const EnctypeInfo* findEnctypeByChecksum(std::int32_t checksumType);

// RFC 3961 profile operations. Every function validates enctype and key size and returns a typed
// error (ErrorCategory::Crypto) instead of throwing. Integrity failures are ErrorCategory::Integrity,
// code "bad_integrity", detected with a constant-time comparison.

// string-to-key. s2kparams: RFC 3962 4-octet big-endian iteration count (default 4096); MIT's limits
// apply (iteration counts below 1 or at/above 2^24 are refused). rc4-hmac ignores salt and params.
Result<Key> stringToKey(std::int32_t enctype, std::string_view password, std::string_view salt,
                        std::optional<BytesView> s2kparams = std::nullopt);
Result<Key> randomToKey(std::int32_t enctype, BytesView seed);
// A fresh random key (session keys), drawn from rng.
Result<Key> generateKey(std::int32_t enctype, Rng& rng);

// encrypt(key, usage, plaintext): confounder from rng.
Result<Bytes> encrypt(const Key& key, std::uint32_t usage, BytesView plaintext, Rng& rng);
// The same with a caller-supplied confounder (test vectors, frozen ciphertexts).
Result<Bytes> encryptWithConfounder(const Key& key, std::uint32_t usage, BytesView plaintext,
                                    BytesView confounder);
// decrypt(key, usage, ciphertext) -> plaintext without the confounder.
Result<Bytes> decrypt(const Key& key, std::uint32_t usage, BytesView ciphertext);

// Keyed checksum of the key's enctype (15/16 for AES, -138 for rc4-hmac).
Result<Bytes> makeChecksum(const Key& key, std::uint32_t usage, BytesView data);
// Verifies a checksum of the given type with the key (type must belong to the key's enctype).
Status verifyChecksum(const Key& key, std::uint32_t usage, std::int32_t checksumType, BytesView data,
                      BytesView checksum);

// RFC 3961 building blocks, exposed for vectors and for GSS-API tokens.
Bytes nfold(BytesView input, std::size_t outBytes);
// DK(key, constant) for the AES enctypes.
Result<Bytes> deriveKey(const Key& baseKey, BytesView constant);
// Raw AES-CBC-CTS with an explicit IV (RFC 3962 section 5), as in the RFC's Appendix B.
Result<Bytes> aesCtsEncrypt(BytesView key, BytesView iv, BytesView plaintext);
Result<Bytes> aesCtsDecrypt(BytesView key, BytesView iv, BytesView ciphertext);

// Salts.
// MIT default: realm followed by every name component, no separators ("ATHENA.MIT.EDUraeburn").
std::string mitDefaultSalt(std::string_view realm, const std::vector<std::string>& components);
// Active Directory user: upper-case realm + sAMAccountName as given ("CONTOSO.TESTalice").
std::string adUserSalt(std::string_view realm, std::string_view samAccountName);
// Active Directory computer account (MS-KILE 3.1.1.2): REALM + "host" + lower(name without $) + "." +
// lower(realm): "FE01$" in CONTOSO.TEST -> "CONTOSO.TESThostfe01.contoso.test".
std::string adComputerSalt(std::string_view realm, std::string_view samAccountName);

}  // namespace kerbpool::core::crypto
