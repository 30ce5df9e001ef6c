#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <span>

#include "core/common/bytes.hpp"

namespace kerbpool::core {

// The one seam for randomness (STYLE-ANCHORS habit 4). Key material and confounders come from
// crypto::CryptoRng (OpenSSL's DRBG) outside tests; SeededRng makes scenario runs reproducible.
class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;

  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b);
    return b;
  }
  std::uint64_t next64() {
    std::uint8_t b[8];
    fill(b);
    std::uint64_t v = 0;
    for (std::uint8_t x : b) {
      v = (v << 8) | x;
    }
    return v;
  }
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) { return next64() % n; }
};

// Deterministic generator for simulations and tests (not for secrets on a real network).
class SeededRng final : public Rng {
 public:
  explicit SeededRng(std::uint64_t seed) : engine_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    std::lock_guard lock(mu_);
    for (auto& b : out) {
      b = static_cast<std::uint8_t>(engine_() & 0xff);
    }
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace kerbpool::core
