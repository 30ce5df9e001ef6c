// DR and DK, RFC 3961 sections 5.1 and 5.3, for the AES enctypes.
#include "core/crypto/derive.hpp"

#include <string>

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
  Bytes out;
  out.reserve(key.size() + kAesBlockBytes);
  while (out.size() < key.size()) {
    KP_TRY(block, aesEcbEncryptBlock(key, block));
    append(out, block);
  }
  secureWipe(block);
  out.resize(key.size());
  return out;
}

Result<Bytes> deriveUsageKey(BytesView key, std::uint32_t usage, DerivedKeyKind kind) {
  DerivedKeyCache& cache = derivedKeyCache();
  if (auto cached = cache.find(key, usage, kind)) {
    return std::move(*cached);
  }
  KP_TRY(Bytes derived, deriveAesKey(key, usageConstant(usage, kind)));
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
