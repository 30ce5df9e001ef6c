#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// Kerberos encryption type numbers (RFC 3961 8, RFC 3962 7, RFC 4757).
enum class EType : std::int32_t {
  Des3CbcSha1Kd = 16,
  Aes128CtsHmacSha196 = 17,
  Aes256CtsHmacSha196 = 18,
  Aes128CtsHmacSha256128 = 19,
  Aes256CtsHmacSha384192 = 20,
  Rc4Hmac = 23,
};

// Checksum types (RFC 3961 8, RFC 3962 7, RFC 4757, RFC 4121 4.1.1).
enum class ChecksumType : std::int32_t {
  HmacSha196Aes128 = 15,
  HmacSha196Aes256 = 16,
  HmacMd5Rc4 = -138,
  GssApi = 0x8003,
};

}  // namespace kerbpool::core::iana
