#include "core/crypto/crypto_rng.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

namespace kerbpool::core::crypto {

namespace {

// OpenSSL's RAND_bytes costs a lock, a reseed check and a DRBG update (an AES key schedule) per call, which
// is most of its price for the few octets a request needs (a subkey, a sequence number, a confounder). Each
// thread draws DRBG output in blocks instead and hands it out once: an octet given to a caller is wiped
// from the block, and the rest is wiped when the thread ends.
constexpr std::size_t kBlock = 4096;
constexpr std::size_t kDirect = 1024;  // larger requests go straight to the DRBG

void drbg(std::uint8_t* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    // Without randomness no key or confounder is safe to produce: this cannot be recovered from.
    std::abort();
  }
}

struct ThreadPool {
  std::array<std::uint8_t, kBlock> block{};
  std::size_t used = kBlock;  // octets already handed out (and wiped)

  ~ThreadPool() { OPENSSL_cleanse(block.data(), block.size()); }

  void take(std::uint8_t* out, std::size_t n) {
    while (n > 0) {
      if (used == kBlock) {
        drbg(block.data(), block.size());
        used = 0;
      }
      const std::size_t k = std::min(n, kBlock - used);
      std::memcpy(out, block.data() + used, k);
      OPENSSL_cleanse(block.data() + used, k);
      used += k;
      out += k;
      n -= k;
    }
  }
};

}  // namespace

void CryptoRng::fill(std::span<std::uint8_t> out) {
  if (out.empty()) {
    return;
  }
  if (out.size() > kDirect) {
    drbg(out.data(), out.size());
    return;
  }
  thread_local ThreadPool pool;
  pool.take(out.data(), out.size());
}

}  // namespace kerbpool::core::crypto
