// The single registry of supported enctypes (after MIT's krb/etypes.c), strongest first.
#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>

#include "core/crypto/enctype.hpp"
#include "core/crypto/enctype_ops.hpp"
#include "core/iana/etype.hpp"

namespace kerbpool::core::crypto {

namespace {

constexpr std::int32_t id(iana::EType e) {
  return static_cast<std::int32_t>(e);
}
constexpr std::int32_t id(iana::ChecksumType c) {
  return static_cast<std::int32_t>(c);
}

// id, name, keyBytes, seedBytes, confounderBytes, macBytes, checksumType, checksumBytes, weak.
const EnctypeEntry kTable[] = {
    {{id(iana::EType::Aes256CtsHmacSha196), "aes256-cts-hmac-sha1-96", 32, 32, 16, 12,
      id(iana::ChecksumType::HmacSha196Aes256), 12, false},
     {"aes256-cts", "aes256-sha1", {}},
     &kAesCtsHmacSha1Ops},
    {{id(iana::EType::Aes128CtsHmacSha196), "aes128-cts-hmac-sha1-96", 16, 16, 16, 12,
      id(iana::ChecksumType::HmacSha196Aes128), 12, false},
     {"aes128-cts", "aes128-sha1", {}},
     &kAesCtsHmacSha1Ops},
    {{id(iana::EType::Rc4Hmac), "arcfour-hmac", 16, 16, 8, 16, id(iana::ChecksumType::HmacMd5Rc4), 16, true},
     {"rc4-hmac", "arcfour-hmac-md5", {}},
     &kRc4HmacOps},
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const std::vector<EnctypeInfo>& enctypes() {
  static const std::vector<EnctypeInfo> infos = [] {
    std::vector<EnctypeInfo> v;
    for (const auto& e : kTable) {
      v.push_back(e.info);
    }
    return v;
  }();
  return infos;
}

const EnctypeEntry* findEntry(std::int32_t enctype) {
  for (const auto& e : kTable) {
    if (e.info.id == enctype) {
      return &e;
    }
  }
  return nullptr;
}

const EnctypeInfo* findEnctype(std::int32_t enctype) {
  const EnctypeEntry* e = findEntry(enctype);
  return e == nullptr ? nullptr : &e->info;
}

// Case-insensitive, canonical names and MIT's aliases ("rc4-hmac", "aes256-cts"), like krb5.conf.
const EnctypeInfo* findEnctypeByName(std::string_view name) {
  for (const auto& e : kTable) {
    if (equalsIgnoreCase(e.info.name, name) ||
        std::any_of(std::begin(e.aliases), std::end(e.aliases),
                    [&](std::string_view a) { return !a.empty() && equalsIgnoreCase(a, name); })) {
      return &e.info;
    }
  }
  return nullptr;
}

const EnctypeInfo* findEnctypeByChecksum(std::int32_t checksumType) {
  for (const auto& e : kTable) {
    if (e.info.checksumType == checksumType) {
      return &e.info;
    }
  }
  return nullptr;
}

Result<const EnctypeEntry*> checkEnctype(std::int32_t enctype) {
  const EnctypeEntry* e = findEntry(enctype);
  if (e == nullptr) {
    return makeError(ErrorCategory::Crypto, "unsupported_enctype",
                     "enctype " + std::to_string(enctype) + " is not supported");
  }
  return e;
}

Result<const EnctypeEntry*> checkKey(const Key& key) {
  KP_TRY(const EnctypeEntry* e, checkEnctype(key.enctype));
  if (key.value.size() != e->info.keyBytes) {
    return makeError(ErrorCategory::Crypto, "bad_key_length",
                     std::string(e->info.name) + " needs a " + std::to_string(e->info.keyBytes) +
                         "-byte key, got " + std::to_string(key.value.size()));
  }
  return e;
}

}  // namespace kerbpool::core::crypto
