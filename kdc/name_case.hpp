#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "core/common/http_text.hpp"

namespace kerbpool::kdc {

// Active Directory compares sAMAccountName, userPrincipalName and servicePrincipalName values without regard
// to case. The simulated directory holds ASCII names, so ASCII folding is the whole rule.
inline char upperAscii(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

using core::toLowerAscii;
using core::toUpperAscii;

inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return core::equalsIgnoreAsciiCase(a, b);
}

}  // namespace kerbpool::kdc
