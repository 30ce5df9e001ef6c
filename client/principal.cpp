#include "client/principal.hpp"

#include <algorithm>
#include <cctype>

#include "core/common/principal_text.hpp"

namespace kerbpool::client {
namespace {

core::Result<core::PrincipalText> parseNamed(std::string_view text, std::string_view defaultRealm) {
  KP_TRY(auto parsed, core::PrincipalText::parse(text, defaultRealm));
  if (parsed.realm.empty()) {
    return core::makeError(core::ErrorCategory::Decoding, "empty_realm",
                           "principal '" + std::string(text) + "' names an empty realm");
  }
  return parsed;
}

}  // namespace

using core::iana::NameType;
using core::messages::PrincipalName;

std::string Principal::text() const {
  return core::formatPrincipal(name.nameString, realm);
}

core::Result<Principal> parseUserPrincipal(std::string_view text, std::string_view defaultRealm) {
  KP_TRY(auto parsed, parseNamed(text, defaultRealm));
  return Principal{PrincipalName{NameType::KRB_NT_PRINCIPAL, std::move(parsed.components)},
                   std::move(parsed.realm)};
}

core::Result<Principal> parseServicePrincipal(std::string_view text, std::string_view defaultRealm) {
  KP_TRY(auto parsed, parseNamed(text, defaultRealm));
  NameType type = NameType::KRB_NT_PRINCIPAL;
  if (parsed.components.size() == 2) {
    type = parsed.components[0] == "krbtgt" ? NameType::KRB_NT_SRV_INST : NameType::KRB_NT_SRV_HST;
  }
  return Principal{PrincipalName{type, std::move(parsed.components)}, std::move(parsed.realm)};
}

Principal tgsPrincipal(std::string_view realm) {
  return Principal{PrincipalName{NameType::KRB_NT_SRV_INST, {"krbtgt", std::string(realm)}},
                   std::string(realm)};
}

bool isTgsPrincipal(const PrincipalName& name) {
  return name.nameString.size() == 2 && name.nameString[0] == "krbtgt";
}

bool sameName(const PrincipalName& a, const PrincipalName& b) {
  return a.nameString == b.nameString;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool sameNameIgnoreCase(const PrincipalName& a, const PrincipalName& b) {
  return std::equal(a.nameString.begin(), a.nameString.end(), b.nameString.begin(), b.nameString.end(),
                    [](const std::string& x, const std::string& y) { return equalsIgnoreCase(x, y); });
}

KerberosTimestamp toKerberosTimestamp(core::TimePoint t) {
  const auto us = t.time_since_epoch().count();
  auto seconds = us / 1000000;
  auto micros = us % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  return {seconds, static_cast<core::messages::Microseconds>(micros)};
}

core::TimePoint fromKerberosTimestamp(core::messages::KerberosTime seconds,
                                      core::messages::Microseconds micros) {
  return core::TimePoint(core::Micros(seconds * 1000000 + micros));
}

}  // namespace kerbpool::client
