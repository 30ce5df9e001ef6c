// The RFC 3961 profile entry points of enctype.hpp: validate the enctype and key, then run the table hook.
#include "core/crypto/enctype.hpp"

#include <string>

#include "core/crypto/enctype_ops.hpp"

namespace kerbpool::core::crypto {

Result<Key> stringToKey(std::int32_t enctype, std::string_view password, std::string_view salt,
                        std::optional<BytesView> s2kparams) {
  KP_TRY(const EnctypeEntry* e, checkEnctype(enctype));
  KP_TRY(Bytes value, e->ops->stringToKey(e->info, password, salt, s2kparams));
  return Key{enctype, std::move(value)};
}

// random-to-key is the identity for every enctype in the table (RFC 3962 section 6, RFC 4757 section 4).
Result<Key> randomToKey(std::int32_t enctype, BytesView seed) {
  KP_TRY(const EnctypeEntry* e, checkEnctype(enctype));
  if (seed.size() != e->info.seedBytes) {
    return makeError(ErrorCategory::Crypto, "bad_key_length",
                     std::string(e->info.name) + " random-to-key needs " + std::to_string(e->info.seedBytes) +
                         " bytes, got " + std::to_string(seed.size()));
  }
  return Key{enctype, Bytes(seed.begin(), seed.end())};
}

Result<Key> generateKey(std::int32_t enctype, Rng& rng) {
  KP_TRY(const EnctypeEntry* e, checkEnctype(enctype));
  Bytes seed = rng.bytes(e->info.seedBytes);
  auto key = randomToKey(enctype, seed);
  secureWipe(seed);
  return key;
}

Result<Bytes> encrypt(const Key& key, std::uint32_t usage, BytesView plaintext, Rng& rng) {
  KP_TRY(const EnctypeEntry* e, checkKey(key));
  const Bytes confounder = rng.bytes(e->info.confounderBytes);
  return e->ops->encrypt(e->info, key.value, usage, plaintext, confounder);
}

Result<Bytes> encryptWithConfounder(const Key& key, std::uint32_t usage, BytesView plaintext,
                                    BytesView confounder) {
  KP_TRY(const EnctypeEntry* e, checkKey(key));
  if (confounder.size() != e->info.confounderBytes) {
    return makeError(ErrorCategory::Crypto, "bad_confounder_length",
                     std::string(e->info.name) + " needs a " + std::to_string(e->info.confounderBytes) +
                         "-byte confounder, got " + std::to_string(confounder.size()));
  }
  return e->ops->encrypt(e->info, key.value, usage, plaintext, confounder);
}

Result<Bytes> decrypt(const Key& key, std::uint32_t usage, BytesView ciphertext) {
  KP_TRY(const EnctypeEntry* e, checkKey(key));
  return e->ops->decrypt(e->info, key.value, usage, ciphertext);
}

}  // namespace kerbpool::core::crypto
