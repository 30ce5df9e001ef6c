// Default salts: MIT (RFC 4120 section 4) and Active Directory (MS-KILE 3.1.1.2).
#include <algorithm>
#include <cctype>
#include <string>

#include "core/crypto/enctype.hpp"

namespace kerbpool::core::crypto {

namespace {

std::string asciiUpper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string mitDefaultSalt(std::string_view realm, const std::vector<std::string>& components) {
  std::string salt(realm);
  for (const auto& c : components) {
    salt += c;
  }
  return salt;
}

std::string adUserSalt(std::string_view realm, std::string_view samAccountName) {
  return asciiUpper(realm) + std::string(samAccountName);
}

std::string adComputerSalt(std::string_view realm, std::string_view samAccountName) {
  std::string_view name = samAccountName;
  if (!name.empty() && name.back() == '$') {
    name.remove_suffix(1);
  }
  return asciiUpper(realm) + "host" + asciiLower(name) + "." + asciiLower(realm);
}

}  // namespace kerbpool::core::crypto
