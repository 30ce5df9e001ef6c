#include "kdc/account.hpp"

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
