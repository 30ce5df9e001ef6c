#pragma once

#include <cstdint>

#include "core/iana/kerberos_flags.hpp"

// TicketFlags bit masks (RFC 4120 5.3; enc-pa-rep from RFC 6806 11; anonymous from RFC 6112).
// Use: `encPart.flags & iana::ticket_flags::pre_authent`.
namespace kerbpool::core::iana::ticket_flags {

inline constexpr std::uint32_t reserved = kerberosFlagBit(0);
inline constexpr std::uint32_t forwardable = kerberosFlagBit(1);
inline constexpr std::uint32_t forwarded = kerberosFlagBit(2);
inline constexpr std::uint32_t proxiable = kerberosFlagBit(3);
inline constexpr std::uint32_t proxy = kerberosFlagBit(4);
inline constexpr std::uint32_t may_postdate = kerberosFlagBit(5);
inline constexpr std::uint32_t postdated = kerberosFlagBit(6);
inline constexpr std::uint32_t invalid = kerberosFlagBit(7);
inline constexpr std::uint32_t renewable = kerberosFlagBit(8);
inline constexpr std::uint32_t initial = kerberosFlagBit(9);
inline constexpr std::uint32_t pre_authent = kerberosFlagBit(10);
inline constexpr std::uint32_t hw_authent = kerberosFlagBit(11);
inline constexpr std::uint32_t transited_policy_checked = kerberosFlagBit(12);
inline constexpr std::uint32_t ok_as_delegate = kerberosFlagBit(13);
inline constexpr std::uint32_t enc_pa_rep = kerberosFlagBit(15);
inline constexpr std::uint32_t anonymous = kerberosFlagBit(16);

}  // namespace kerbpool::core::iana::ticket_flags
