#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/crypto/enctype.hpp"

// What each enctype does, as hooks on the single table row (after MIT's krb/crypto_int.h and gokrb5's
// etype interface). Internal to core/crypto: callers use the functions in enctype.hpp, which validate the
// enctype and key length before a hook runs, so hooks may assume a key of info.keyBytes bytes.
namespace kerbpool::core::crypto {

struct EnctypeOps {
  bool derives;  // RFC 3961 simplified profile with DK (the AES family); false for rc4-hmac
  Result<Bytes> (*stringToKey)(const EnctypeInfo& info, std::string_view password, std::string_view salt,
                               std::optional<BytesView> s2kparams);
  // confounder has info.confounderBytes bytes.
  Result<Bytes> (*encrypt)(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView plaintext,
                           BytesView confounder);
  Result<Bytes> (*decrypt)(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView ciphertext);
  // The keyed checksum info.checksumType.
  Result<Bytes> (*checksum)(const EnctypeInfo& info, BytesView key, std::uint32_t usage, BytesView data);
};

struct EnctypeEntry {
  EnctypeInfo info;
  std::string_view aliases[3];  // other names MIT accepts in krb5.conf (empty slots unused)
  const EnctypeOps* ops;
};

// Defined next to their algorithms (aes_cts_hmac_sha1.cpp, rc4_hmac.cpp).
extern const EnctypeOps kAesCtsHmacSha1Ops;
extern const EnctypeOps kRc4HmacOps;

const EnctypeEntry* findEntry(std::int32_t id);
// Crypto "unsupported_enctype" naming the number when id is not in the table.
Result<const EnctypeEntry*> checkEnctype(std::int32_t id);
// checkEnctype plus Crypto "bad_key_length" when the key is not keyBytes long.
Result<const EnctypeEntry*> checkKey(const Key& key);

}  // namespace kerbpool::core::crypto
