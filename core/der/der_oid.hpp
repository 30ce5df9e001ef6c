#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/common/bytes.hpp"

namespace kerbpool::core::der {

// OBJECT IDENTIFIER content octets <-> dotted form ("1.2.840.113554.1.2.2").
std::optional<Bytes> oidFromString(std::string_view dotted);
std::optional<std::string> oidToString(BytesView content);

// Valid content: non-empty, each arc minimal base-128 (no leading 0x80), last octet ends an arc.
bool isValidOidContent(BytesView content);

}  // namespace kerbpool::core::der
