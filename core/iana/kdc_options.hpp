#pragma once

#include <cstdint>

#include "core/iana/kerberos_flags.hpp"

// KDCOptions bit masks (RFC 4120 5.4.1; canonicalize from RFC 6806 3; request-anonymous from RFC 6112;
// cname-in-addl-tkt from MS-SFU). Use: `body.kdcOptions & iana::kdc_options::renewable_ok`.
namespace kerbpool::core::iana::kdc_options {

inline constexpr std::uint32_t reserved = kerberosFlagBit(0);
inline constexpr std::uint32_t forwardable = kerberosFlagBit(1);
inline constexpr std::uint32_t forwarded = kerberosFlagBit(2);
inline constexpr std::uint32_t proxiable = kerberosFlagBit(3);
inline constexpr std::uint32_t proxy = kerberosFlagBit(4);
inline constexpr std::uint32_t allow_postdate = kerberosFlagBit(5);
inline constexpr std::uint32_t postdated = kerberosFlagBit(6);
inline constexpr std::uint32_t renewable = kerberosFlagBit(8);
inline constexpr std::uint32_t opt_hardware_auth = kerberosFlagBit(11);
inline constexpr std::uint32_t cname_in_addl_tkt = kerberosFlagBit(14);
inline constexpr std::uint32_t canonicalize = kerberosFlagBit(15);
inline constexpr std::uint32_t request_anonymous = kerberosFlagBit(16);
inline constexpr std::uint32_t disable_transited_check = kerberosFlagBit(26);
inline constexpr std::uint32_t renewable_ok = kerberosFlagBit(27);
inline constexpr std::uint32_t enc_tkt_in_skey = kerberosFlagBit(28);
inline constexpr std::uint32_t renew = kerberosFlagBit(30);
inline constexpr std::uint32_t validate = kerberosFlagBit(31);

}  // namespace kerbpool::core::iana::kdc_options
