#pragma once

#include "core/common/bytes.hpp"

namespace kerbpool::core::crypto {

// Wipes a buffer of derived key material when the scope ends, on every return path.
class ScopedWipe {
 public:
  explicit ScopedWipe(Bytes& b) : b_(b) {}
  ~ScopedWipe() { secureWipe(b_); }
  ScopedWipe(const ScopedWipe&) = delete;
  ScopedWipe& operator=(const ScopedWipe&) = delete;

 private:
  Bytes& b_;
};

}  // namespace kerbpool::core::crypto
