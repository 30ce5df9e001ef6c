#include "core/common/bytes.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace kerbpool::core {

bool constantTimeEqual(BytesView a, BytesView b) {
  if (a.size() != b.size()) {
    return false;
  }
  // OpenSSL's constant-time comparison (the time depends on the length only), word at a time.
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void secureWipe(Bytes& b) {
  // explicit_bzero: a memset the compiler may not drop (the buffer dies right after), at memset's speed.
  if (!b.empty()) {
    explicit_bzero(b.data(), b.size());
  }
  b.clear();
}

void secureWipe(std::string& s) {
  if (!s.empty()) {
    explicit_bzero(s.data(), s.size());
  }
  s.clear();
}

void secureWipe(std::span<std::uint8_t> octets) {
  if (!octets.empty()) {
    explicit_bzero(octets.data(), octets.size());
  }
}

}  // namespace kerbpool::core
