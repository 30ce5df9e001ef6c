#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

namespace kerbpool::core {

// Standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding), as carried in HTTP
// `Authorization: Negotiate <b64>` (RFC 4559). Output is always padded, never wrapped.
std::string base64Encode(BytesView data);

// Number of base64 characters needed for n octets (padded).
constexpr std::size_t base64EncodedSize(std::size_t n) {
  return (n + 2) / 3 * 4;
}

// Strict decode of untrusted text. Refused with a Decoding error:
//  - "input_too_large": more than maxInputChars characters (checked before any work);
//  - "bad_base64": a length that is not a multiple of 4, a character outside the alphabet (whitespace
//    included), '=' anywhere but the last one or two positions, non-zero bits in the unused low bits of
//    the last symbol (a non-canonical encoding).
// The empty string decodes to no octets.
Result<Bytes> base64Decode(std::string_view text,
                           std::size_t maxInputChars = std::numeric_limits<std::size_t>::max());

}  // namespace kerbpool::core
