#pragma once

#include <cstdint>

namespace kerbpool::core::iana {

// KerberosFlags (RFC 4120 5.2.8) are held as a 32-bit word: bit n of the BIT STRING (bit 0 = most
// significant bit of the first octet) is `0x80000000 >> n`.
constexpr std::uint32_t kerberosFlagBit(unsigned n) {
  return 0x80000000u >> n;
}

}  // namespace kerbpool::core::iana
