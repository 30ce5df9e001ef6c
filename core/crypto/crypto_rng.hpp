#pragma once

#include "core/common/rng.hpp"

namespace kerbpool::core::crypto {

// Cryptographically strong randomness from OpenSSL's DRBG (RAND_bytes). Use it for session keys and
// confounders outside deterministic simulations.
class CryptoRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

}  // namespace kerbpool::core::crypto
