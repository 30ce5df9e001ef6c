#pragma once

#include <cstdint>
#include <string>
#include <vector>

// NEGOTIATE flags (MS-NLMP 2.2.2.5), carried in all three NTLM messages as a little-endian uint32.
// The names keep the spec spelling so that they can be matched against captures and the spec text.
namespace kerbpool::core::ntlm {

inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;                   // A
inline constexpr std::uint32_t NTLM_NEGOTIATE_OEM = 0x00000002;                          // B
inline constexpr std::uint32_t NTLMSSP_REQUEST_TARGET = 0x00000004;                      // C
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_SIGN = 0x00000010;                      // D
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_SEAL = 0x00000020;                      // E
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_DATAGRAM = 0x00000040;                  // F
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_LM_KEY = 0x00000080;                    // G
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_NTLM = 0x00000200;                      // H
inline constexpr std::uint32_t NTLMSSP_ANONYMOUS = 0x00000800;                           // J
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED = 0x00001000;       // K
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED = 0x00002000;  // L
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;               // M
inline constexpr std::uint32_t NTLMSSP_TARGET_TYPE_DOMAIN = 0x00010000;                  // N
inline constexpr std::uint32_t NTLMSSP_TARGET_TYPE_SERVER = 0x00020000;                  // O
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;  // P
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_IDENTIFY = 0x00100000;                  // Q
inline constexpr std::uint32_t NTLMSSP_REQUEST_NON_NT_SESSION_KEY = 0x00400000;          // R
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;               // S
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_VERSION = 0x02000000;                   // T
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_128 = 0x20000000;                       // U
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;                  // V
inline constexpr std::uint32_t NTLMSSP_NEGOTIATE_56 = 0x80000000;                        // W

inline constexpr bool hasFlag(std::uint32_t flags, std::uint32_t flag) {
  return (flags & flag) == flag;
}

// The spec names of the bits set in flags, highest bit first; unassigned bits appear as "0x00000100".
std::vector<std::string> flagNames(std::uint32_t flags);

}  // namespace kerbpool::core::ntlm
