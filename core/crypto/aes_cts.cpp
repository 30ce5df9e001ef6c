// AES in CBC mode with ciphertext stealing, RFC 3962 section 5: CBC, then the last two blocks are always
// swapped (also at exact block multiples) and the final block is cut to the input's remainder. An input of
// exactly one block is plain one-block CBC. Inputs shorter than one block are refused.
#include <string>

#include "core/crypto/enctype.hpp"
#include "core/crypto/primitives.hpp"

namespace kerbpool::core::crypto {

namespace {

constexpr std::size_t kB = kAesBlockBytes;

Status checkCtsInput(BytesView data, std::string_view what) {
  if (data.size() < kB) {
    return makeError(
        ErrorCategory::Crypto, "cts_input_too_short",
        std::string(what) + " needs at least one 16-byte block, got " + std::to_string(data.size()));
  }
  return okStatus();
}

}  // namespace

Result<Bytes> aesCtsEncrypt(BytesView key, BytesView iv, BytesView plaintext) {
  KP_CHECK(checkCtsInput(plaintext, "AES-CTS plaintext"));
  const std::size_t n = plaintext.size();
  const std::size_t blocks = (n + kB - 1) / kB;
  // CBC over the zero-padded input: XORing the zero tail with the previous ciphertext block carries that
  // block's tail into the last encryption, which is exactly the "stolen" ciphertext.
  Bytes padded(plaintext.begin(), plaintext.end());
  padded.resize(blocks * kB, 0);
  KP_TRY(Bytes cbc, aesCbcEncrypt(key, iv, padded));
  secureWipe(padded);
  if (blocks == 1) {
    return cbc;
  }
  const std::size_t lastLen = n - (blocks - 1) * kB;  // 1..16
  Bytes out(cbc.begin(), cbc.begin() + static_cast<std::ptrdiff_t>((blocks - 2) * kB));
  append(out, BytesView(cbc).subspan((blocks - 1) * kB, kB));       // C(n), full
  append(out, BytesView(cbc).subspan((blocks - 2) * kB, lastLen));  // C(n-1), truncated
  return out;
}

Result<Bytes> aesCtsDecrypt(BytesView key, BytesView iv, BytesView ciphertext) {
  KP_CHECK(checkCtsInput(ciphertext, "AES-CTS ciphertext"));
  const std::size_t n = ciphertext.size();
  const std::size_t blocks = (n + kB - 1) / kB;
  if (blocks == 1) {
    return aesCbcDecrypt(key, iv, ciphertext);
  }
  const std::size_t lastLen = n - (blocks - 1) * kB;
  const BytesView lastFull = ciphertext.subspan((blocks - 2) * kB, kB);  // C(n)
  const BytesView stolenHead = ciphertext.subspan((blocks - 1) * kB, lastLen);
  // D(C(n)) = (P(n) || 0...) XOR C(n-1): its head gives P(n), its tail completes C(n-1).
  const Bytes zeroIv(kB, 0);
  KP_TRY(Bytes d, aesCbcDecrypt(key, zeroIv, lastFull));
  Bytes lastPlain(lastLen);
  for (std::size_t i = 0; i < lastLen; ++i) {
    lastPlain[i] = d[i] ^ stolenHead[i];
  }
  Bytes chain(ciphertext.begin(), ciphertext.begin() + static_cast<std::ptrdiff_t>((blocks - 2) * kB));
  append(chain, stolenHead);
  append(chain, BytesView(d).subspan(lastLen));  // C(n-1) restored
  secureWipe(d);
  KP_TRY(Bytes out, aesCbcDecrypt(key, iv, chain));
  append(out, lastPlain);
  secureWipe(lastPlain);
  return out;
}

}  // namespace kerbpool::core::crypto
