#pragma once

#include <cstdint>

#include "core/iana/kerberos_flags.hpp"

// APOptions bit masks (RFC 4120 5.5.1): mutual_required = 0x20000000.
namespace kerbpool::core::iana::ap_options {

inline constexpr std::uint32_t reserved = kerberosFlagBit(0);
inline constexpr std::uint32_t use_session_key = kerberosFlagBit(1);
inline constexpr std::uint32_t mutual_required = kerberosFlagBit(2);

}  // namespace kerbpool::core::iana::ap_options
