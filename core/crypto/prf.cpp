// RFC 3961 PRF (RFC 3962 section 6 for AES, RFC 4757 section 4 for rc4-hmac), PRF+ and KRB-FX-CF2
// (RFC 6113 section 5.1).
#include "core/crypto/prf.hpp"

#include <string>

#include "core/crypto/derive.hpp"
#include "core/crypto/enctype_ops.hpp"
#include "core/crypto/primitives.hpp"
#include "core/crypto/scoped_wipe.hpp"

namespace kerbpool::core::crypto {

namespace {

constexpr std::size_t kMaxPrfBlocks = 255;  // the PRF+ counter is one octet

Bytes asBytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace

Result<Bytes> prf(const Key& key, BytesView input) {
  KP_TRY(const EnctypeEntry* e, checkKey(key));
  if (!e->ops->derives) {
    return hmacSha1(key.value, input);
  }
  KP_TRY(Bytes digest, sha1(input));
  digest.resize(kAesBlockBytes);  // truncated to a multiple of the block size
  KP_TRY(Bytes prfKey, deriveAesKey(key.value, asBytes("prf")));
  ScopedWipe wipe(prfKey);
  const Bytes zeroIv(kAesBlockBytes, 0);
  return aesCbcEncrypt(prfKey, zeroIv, digest);
}

Result<Bytes> prfPlus(const Key& key, BytesView input, std::size_t outBytes) {
  Bytes out;
  Bytes block;
  block.reserve(input.size() + 1);
  for (std::size_t counter = 1; out.size() < outBytes; ++counter) {
    if (counter > kMaxPrfBlocks) {
      return makeError(ErrorCategory::Crypto, "prf_output_too_long",
                       "PRF+ cannot produce " + std::to_string(outBytes) + " octets (255 blocks at most)");
    }
    block.assign(1, static_cast<std::uint8_t>(counter));
    block.insert(block.end(), input.begin(), input.end());
    KP_TRY(Bytes chunk, prf(key, block));
    out.insert(out.end(), chunk.begin(), chunk.end());
    secureWipe(chunk);
  }
  out.resize(outBytes);
  return out;
}

Result<Key> cf2(const Key& key1, const Key& key2, std::string_view pepper1, std::string_view pepper2) {
  KP_TRY(const EnctypeEntry* e, checkKey(key1));
  KP_CHECK(checkKey(key2));
  const std::size_t seedBytes = e->info.seedBytes;
  KP_TRY(Bytes seed, prfPlus(key1, asBytes(pepper1), seedBytes));
  ScopedWipe wipeSeed(seed);
  KP_TRY(Bytes other, prfPlus(key2, asBytes(pepper2), seedBytes));
  ScopedWipe wipeOther(other);
  for (std::size_t i = 0; i < seedBytes; ++i) {
    seed[i] ^= other[i];
  }
  return randomToKey(key1.enctype, seed);
}

}  // namespace kerbpool::core::crypto
