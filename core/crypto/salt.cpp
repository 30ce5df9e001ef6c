// Default salts: MIT (RFC 4120 section 4) and Active Directory (MS-KILE 3.1.1.2).
#include <string>

#include "core/common/http_text.hpp"
#include "core/crypto/enctype.hpp"

namespace kerbpool::core::crypto {

std::string mitDefaultSalt(std::string_view realm, const std::vector<std::string>& components) {
  std::string salt(realm);
  for (const auto& c : components) {
    salt += c;
  }
  return salt;
}

std::string adUserSalt(std::string_view realm, std::string_view samAccountName) {
  return core::toUpperAscii(realm) + std::string(samAccountName);
}

std::string adComputerSalt(std::string_view realm, std::string_view samAccountName) {
  std::string_view name = samAccountName;
  if (!name.empty() && name.back() == '$') {
    name.remove_suffix(1);
  }
  return core::toUpperAscii(realm) + "host" + core::toLowerAscii(name) + "." + core::toLowerAscii(realm);
}

}  // namespace kerbpool::core::crypto
