#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kerbpool::core::der {

// KerberosTime text (RFC 4120 5.2.3): exactly "YYYYMMDDHHMMSSZ", UTC, no fraction.
std::string formatGeneralizedTime(std::int64_t unixSeconds);
std::optional<std::int64_t> parseGeneralizedTime(std::string_view text);

}  // namespace kerbpool::core::der
