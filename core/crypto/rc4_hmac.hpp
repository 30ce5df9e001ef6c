#pragma once

#include <cstdint>

#include "core/common/bytes.hpp"

// rc4-hmac (RFC 4757) helpers shared by rc4_hmac.cpp and checksum.cpp (internal to core/crypto).
namespace kerbpool::core::crypto {

// The message type T hashed into rc4-hmac keys: usage 3 (AS-REP enc-part) becomes 8, every other usage is
// used as is. The RFC 4757 table also lists 9 -> 8, but MIT (krb5int_arcfour_translate_usage) and Heimdal
// send 9, so 9 stays 9. MIT's extra 23 -> 13 belongs to its RFC 4757 GSS token code, not to this layer.
std::uint32_t rc4MsUsage(std::uint32_t usage);
// le32(rc4MsUsage(usage)): the 4 bytes hashed into K1 and into the -138 checksum.
Bytes rc4UsageBytes(std::uint32_t usage);

}  // namespace kerbpool::core::crypto
