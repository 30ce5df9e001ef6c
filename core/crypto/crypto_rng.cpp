#include "core/crypto/crypto_rng.hpp"

#include <openssl/rand.h>

#include <cstdlib>

namespace kerbpool::core::crypto {

void CryptoRng::fill(std::span<std::uint8_t> out) {
  if (out.empty()) {
    return;
  }
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    // Without randomness no key or confounder is safe to produce: this cannot be recovered from.
    std::abort();
  }
}

}  // namespace kerbpool::core::crypto
