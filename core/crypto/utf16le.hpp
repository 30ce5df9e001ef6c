#pragma once

#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"

namespace kerbpool::core::crypto {

// UTF-8 -> UTF-16LE (surrogate pairs above U+FFFF), as hashed by rc4-hmac string-to-key (RFC 4757 section 4)
// and MS-NLMP NTOWF. Malformed UTF-8 (overlong, surrogates, > U+10FFFF, truncated) is a typed
// ErrorCategory::Crypto "bad_utf8" error naming the byte offset.
Result<Bytes> utf8ToUtf16le(std::string_view utf8);

}  // namespace kerbpool::core::crypto
