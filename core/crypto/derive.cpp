// DR and DK, RFC 3961 sections 5.1 and 5.3, for the AES enctypes.
#include "core/crypto/derive.hpp"

#include <string>
#include <vector>

#include "core/crypto/derived_key_cache.hpp"
#include "core/crypto/enctype.hpp"
#include "core/crypto/enctype_ops.hpp"
#include "core/crypto/primitives.hpp"

namespace kerbpool::core::crypto {

Bytes usageConstant(std::uint32_t usage, DerivedKeyKind kind) {
  return Bytes{static_cast<std::uint8_t>(usage >> 24), static_cast<std::uint8_t>(usage >> 16),
               static_cast<std::uint8_t>(usage >> 8), static_cast<std::uint8_t>(usage),
               static_cast<std::uint8_t>(kind)};
}

Result<Bytes> deriveAesKey(BytesView key, BytesView constant) {
  Bytes block = constant.size() == kAesBlockBytes ? Bytes(constant.begin(), constant.end())
                                                  : nfold(constant, kAesBlockBytes);
  // AES keys are 16 or 32 bytes: one or two whole blocks, under one key schedule.
  auto out = aesEcbEncryptChain(key, block, (key.size() + kAesBlockBytes - 1) / kAesBlockBytes);
  secureWipe(block);
  return out;
}

namespace {

// n-fold(usage || kind, 16): a function of the usage and the kind alone, folded once per process for the key
// usages below 64 (every one RFC 4120, RFC 4121 and MS-KILE assign) and on the fly above. A 16-octet constant
// is its own n-fold, so deriveAesKey takes it as it is.
Bytes foldedUsageConstant(std::uint32_t usage, DerivedKeyKind kind) {
  constexpr std::uint32_t kTabled = 64;
  constexpr DerivedKeyKind kKinds[] = {DerivedKeyKind::Checksum, DerivedKeyKind::Encryption,
                                       DerivedKeyKind::Integrity};
  if (usage >= kTabled) {
    return nfold(usageConstant(usage, kind), kAesBlockBytes);
  }
  static const auto table = [&] {
    std::vector<Bytes> t;
    for (std::uint32_t u = 0; u < kTabled; ++u) {
      for (DerivedKeyKind k : kKinds) {
        t.push_back(nfold(usageConstant(u, k), kAesBlockBytes));
      }
    }
    return t;
  }();
  const std::size_t k = kind == DerivedKeyKind::Checksum ? 0 : kind == DerivedKeyKind::Encryption ? 1 : 2;
  return table[usage * 3 + k];
}

}  // namespace

Result<Bytes> deriveUsageKey(BytesView key, std::uint32_t usage, DerivedKeyKind kind) {
  DerivedKeyCache& cache = derivedKeyCache();
  if (auto cached = cache.find(key, usage, kind)) {
    return std::move(*cached);
  }
  KP_TRY(Bytes derived, deriveAesKey(key, foldedUsageConstant(usage, kind)));
  cache.insert(key, usage, kind, derived);
  return derived;
}

Result<Bytes> deriveKey(const Key& baseKey, BytesView constant) {
  KP_TRY(const EnctypeEntry* entry, checkKey(baseKey));
  if (!entry->ops->derives) {
    return makeError(ErrorCategory::Crypto, "unsupported_enctype",
                     std::string(entry->info.name) + " (" + std::to_string(entry->info.id) +
                         ") has no RFC 3961 key derivation");
  }
  return deriveAesKey(baseKey.value, constant);
}

}  // namespace kerbpool::core::crypto
