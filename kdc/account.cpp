#include "kdc/account.hpp"

#include <cstdio>

namespace kerbpool::kdc {

std::string_view toString(AccountKind kind) {
  switch (kind) {
    case AccountKind::User:
      return "user";
    case AccountKind::Computer:
      return "computer";
    case AccountKind::ServiceAccount:
      return "service";
  }
  return "unknown";
}

std::string_view toString(ObjectClass objectClass) {
  return objectClass == ObjectClass::Computer ? "computer" : "user";
}

std::uint32_t supportedEnctypeBit(std::int32_t enctype) {
  switch (enctype) {
    case 1:
      return supported_enctypes::kDesCbcCrc;
    case 3:
      return supported_enctypes::kDesCbcMd5;
    case 23:
      return supported_enctypes::kRc4Hmac;
    case 17:
      return supported_enctypes::kAes128CtsHmacSha196;
    case 18:
      return supported_enctypes::kAes256CtsHmacSha196;
    default:
      return 0;
  }
}

std::vector<std::int32_t> enctypesInMask(std::uint32_t mask) {
  std::vector<std::int32_t> out;
  for (std::int32_t e : directoryKeyEnctypes()) {
    if ((mask & supportedEnctypeBit(e)) != 0) {
      out.push_back(e);
    }
  }
  return out;
}

std::string describeSupportedEnctypes(std::uint32_t mask) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%X", mask);
  static const std::pair<std::uint32_t, const char*> kBits[] = {
      {supported_enctypes::kDesCbcCrc, "DES-CBC-CRC"},
      {supported_enctypes::kDesCbcMd5, "DES-CBC-MD5"},
      {supported_enctypes::kRc4Hmac, "RC4"},
      {supported_enctypes::kAes128CtsHmacSha196, "AES128"},
      {supported_enctypes::kAes256CtsHmacSha196, "AES256"},
      {supported_enctypes::kAesSessionKeys, "AES session keys"},
  };
  std::string names;
  for (const auto& [bit, name] : kBits) {
    if ((mask & bit) != 0) {
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
  }
  return std::string(hex) + " (" + (names.empty() ? std::string("none") : names) + ")";
}

core::Result<std::uint32_t> parseSupportedEnctypes(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return core::makeError(core::ErrorCategory::Config, "bad_supported_enctypes",
                           "'" + std::string(text) + "' " + why);
  };
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string_view digits = hex ? text.substr(2) : text;
  if (digits.empty() || digits.size() > 8) {
    return bad("is not a mask such as 0x18 or 24");
  }
  std::uint32_t value = 0;
  for (char c : digits) {
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : !hex                 ? -1
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                         : -1;
    if (d < 0) {
      return bad("is not a mask such as 0x18 or 24");
    }
    value = value * (hex ? 16u : 10u) + static_cast<std::uint32_t>(d);
  }
  if (value == 0 || value > 0x3F) {
    return bad(
        "is outside 0x1..0x3F (DES-CBC-CRC 0x1, DES-CBC-MD5 0x2, RC4 0x4, AES128 0x8, AES256 0x10, AES "
        "session keys 0x20)");
  }
  if ((value & (supported_enctypes::kRc4Hmac | supported_enctypes::kDefault)) == 0) {
    return bad("allows neither RC4 nor AES; kerbpool's DC, like AD since 2008 R2, derives no DES key");
  }
  return value;
}

const std::vector<std::int32_t>& directoryKeyEnctypes() {
  // aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, rc4-hmac (the NT hash, also used by NTLM).
  static const std::vector<std::int32_t> kEnctypes{18, 17, 23};
  return kEnctypes;
}

const core::crypto::Key* KeySet::keyFor(std::int32_t enctype) const {
  for (const auto& k : keys) {
    if (k.enctype == enctype) {
      return &k;
    }
  }
  return nullptr;
}

const KeySet* Account::keysForKvno(std::uint32_t kvno) const {
  for (const auto& ks : keyHistory) {
    if (ks.kvno == kvno) {
      return &ks;
    }
  }
  return nullptr;
}

}  // namespace kerbpool::kdc
