// AES in CBC mode with ciphertext stealing, RFC 3962 section 5: CBC, then the last two blocks are always
// swapped (also at exact block multiples) and the final block is cut to the input's remainder. An input of
// exactly one block is plain one-block CBC. Inputs shorter than one block are refused.
#include "core/crypto/aes_cts.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/crypto/enctype.hpp"

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

// Wipes a block of intermediate plaintext or key stream when the scope ends.
struct WipedBlock {
  std::array<std::uint8_t, kB> octets{};
  ~WipedBlock() { secureWipe(std::span<std::uint8_t>(octets)); }
};

}  // namespace

Status aesCtsEncryptInPlace(AesCbcKey& key, BytesView iv, Bytes& data) {
  KP_CHECK(checkCtsInput(data, "AES-CTS plaintext"));
  const std::size_t n = data.size();
  const std::size_t blocks = (n + kB - 1) / kB;
  // CBC over the zero-padded input: XORing the zero tail with the previous ciphertext block carries that
  // block's tail into the last encryption, which is exactly the "stolen" ciphertext.
  data.resize(blocks * kB, 0);
  KP_CHECK(key.encryptInPlace(iv, data));
  if (blocks > 1) {
    // C(1..n-2) || C(n) || C(n-1) cut to the last block's length.
    const std::size_t lastLen = n - (blocks - 1) * kB;  // 1..16
    std::uint8_t* before = data.data() + (blocks - 2) * kB;
    std::uint8_t* last = before + kB;
    std::array<std::uint8_t, kB> held{};  // ciphertext: nothing to wipe
    std::copy(before, last, held.begin());
    std::copy(last, last + kB, before);
    std::copy(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(lastLen), last);
  }
  data.resize(n);
  return okStatus();
}

Status aesCtsDecryptInPlace(AesCbcKey& key, BytesView iv, Bytes& data) {
  KP_CHECK(checkCtsInput(data, "AES-CTS ciphertext"));
  const std::size_t n = data.size();
  const std::size_t blocks = (n + kB - 1) / kB;
  if (blocks == 1) {
    return key.decryptInPlace(iv, data);
  }
  const std::size_t lastLen = n - (blocks - 1) * kB;
  std::uint8_t* lastFull = data.data() + (blocks - 2) * kB;  // C(n)
  std::uint8_t* stolenHead = lastFull + kB;                  // C(n-1), cut to lastLen
  // D(C(n)) = (P(n) || 0...) XOR C(n-1): its head gives P(n), its tail completes C(n-1).
  WipedBlock d;
  std::copy(lastFull, lastFull + kB, d.octets.begin());
  KP_CHECK(key.decryptInPlace(kAesZeroIv, d.octets));
  WipedBlock lastPlain;
  for (std::size_t i = 0; i < lastLen; ++i) {
    lastPlain.octets[i] = d.octets[i] ^ stolenHead[i];
  }
  // C(n-1) restored where C(n) was; then CBC over C(1..n-1) gives P(1..n-1).
  std::copy(stolenHead, stolenHead + lastLen, lastFull);
  std::copy(d.octets.begin() + static_cast<std::ptrdiff_t>(lastLen), d.octets.end(), lastFull + lastLen);
  KP_CHECK(key.decryptInPlace(iv, std::span<std::uint8_t>(data.data(), (blocks - 1) * kB)));
  std::copy(lastPlain.octets.begin(), lastPlain.octets.begin() + static_cast<std::ptrdiff_t>(lastLen),
            stolenHead);
  return okStatus();
}

namespace {

// A one-shot CTS operation on a copy of `input` under a key set up for it alone.
Result<Bytes> ctsOneShot(Status (*inPlace)(AesCbcKey&, BytesView, Bytes&), BytesView key, BytesView iv,
                         BytesView input, std::string_view what) {
  KP_CHECK(checkCtsInput(input, what));
  AesCbcKey keyed;
  KP_CHECK(keyed.setKey(key));
  Bytes out(input.begin(), input.end());
  auto done = inPlace(keyed, iv, out);
  if (!done) {
    secureWipe(out);
    return std::move(done).error();
  }
  return out;
}

}  // namespace

Result<Bytes> aesCtsEncrypt(BytesView key, BytesView iv, BytesView plaintext) {
  return ctsOneShot(aesCtsEncryptInPlace, key, iv, plaintext, "AES-CTS plaintext");
}

Result<Bytes> aesCtsDecrypt(BytesView key, BytesView iv, BytesView ciphertext) {
  return ctsOneShot(aesCtsDecryptInPlace, key, iv, ciphertext, "AES-CTS ciphertext");
}

}  // namespace kerbpool::core::crypto
