#pragma once

#include <cstddef>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"

// The RFC 3961 pseudo-random function and the FAST key combinations built on it (RFC 6113 section 5.1).
// MIT clients use FAST for TGS requests (armor key from the TGT session key and the authenticator subkey)
// whenever the KDC announces FAST, so reading their TGS-REPs needs KRB-FX-CF2.
namespace kerbpool::core::crypto {

// pseudo-random(key, input): aes*-cts-hmac-sha1-96 (RFC 3962 section 6):
// AES-CBC(DK(key, "prf"), zero IV, first 16 octets of SHA-1(input)), 16 octets; rc4-hmac (RFC 4757
// section 4): HMAC-SHA1(key, input), 20 octets. Errors as for encrypt (unsupported_enctype, bad_key_length).
Result<Bytes> prf(const Key& key, BytesView input);

// PRF+(key, input) (RFC 6113 section 5.1): prf(key, 0x01 || input) || prf(key, 0x02 || input) || ...,
// truncated to outBytes (1..255 PRF blocks).
Result<Bytes> prfPlus(const Key& key, BytesView input, std::size_t outBytes);

// KRB-FX-CF2(key1, key2, pepper1, pepper2) (RFC 6113 section 5.1):
// random-to-key(PRF+(key1, pepper1) XOR PRF+(key2, pepper2)), of key1's enctype (as MIT does).
// Armor key of a TGS request: cf2(subkey, ticket session key, "subkeyarmor", "ticketarmor");
// strengthened reply key: cf2(strengthen-key, reply key, "strengthenkey", "replykey").
Result<Key> cf2(const Key& key1, const Key& key2, std::string_view pepper1, std::string_view pepper2);

}  // namespace kerbpool::core::crypto
