#include "core/ntlm/ntlm_flags.hpp"

#include <array>
#include <cstdio>
#include <string_view>
#include <utility>

namespace kerbpool::core::ntlm {

namespace {

constexpr std::array<std::pair<std::uint32_t, std::string_view>, 22> kNames{{
    {NTLMSSP_NEGOTIATE_56, "NTLMSSP_NEGOTIATE_56"},
    {NTLMSSP_NEGOTIATE_KEY_EXCH, "NTLMSSP_NEGOTIATE_KEY_EXCH"},
    {NTLMSSP_NEGOTIATE_128, "NTLMSSP_NEGOTIATE_128"},
    {NTLMSSP_NEGOTIATE_VERSION, "NTLMSSP_NEGOTIATE_VERSION"},
    {NTLMSSP_NEGOTIATE_TARGET_INFO, "NTLMSSP_NEGOTIATE_TARGET_INFO"},
    {NTLMSSP_REQUEST_NON_NT_SESSION_KEY, "NTLMSSP_REQUEST_NON_NT_SESSION_KEY"},
    {NTLMSSP_NEGOTIATE_IDENTIFY, "NTLMSSP_NEGOTIATE_IDENTIFY"},
    {NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, "NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY"},
    {NTLMSSP_TARGET_TYPE_SERVER, "NTLMSSP_TARGET_TYPE_SERVER"},
    {NTLMSSP_TARGET_TYPE_DOMAIN, "NTLMSSP_TARGET_TYPE_DOMAIN"},
    {NTLMSSP_NEGOTIATE_ALWAYS_SIGN, "NTLMSSP_NEGOTIATE_ALWAYS_SIGN"},
    {NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED, "NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED"},
    {NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED, "NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED"},
    {NTLMSSP_ANONYMOUS, "NTLMSSP_ANONYMOUS"},
    {NTLMSSP_NEGOTIATE_NTLM, "NTLMSSP_NEGOTIATE_NTLM"},
    {NTLMSSP_NEGOTIATE_LM_KEY, "NTLMSSP_NEGOTIATE_LM_KEY"},
    {NTLMSSP_NEGOTIATE_DATAGRAM, "NTLMSSP_NEGOTIATE_DATAGRAM"},
    {NTLMSSP_NEGOTIATE_SEAL, "NTLMSSP_NEGOTIATE_SEAL"},
    {NTLMSSP_NEGOTIATE_SIGN, "NTLMSSP_NEGOTIATE_SIGN"},
    {NTLMSSP_REQUEST_TARGET, "NTLMSSP_REQUEST_TARGET"},
    {NTLM_NEGOTIATE_OEM, "NTLM_NEGOTIATE_OEM"},
    {NTLMSSP_NEGOTIATE_UNICODE, "NTLMSSP_NEGOTIATE_UNICODE"},
}};

}  // namespace

std::vector<std::string> flagNames(std::uint32_t flags) {
  std::vector<std::string> out;
  for (int bit = 31; bit >= 0; --bit) {
    const std::uint32_t f = std::uint32_t{1} << bit;
    if ((flags & f) == 0) {
      continue;
    }
    bool named = false;
    for (const auto& [value, name] : kNames) {
      if (value == f) {
        out.emplace_back(name);
        named = true;
        break;
      }
    }
    if (!named) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(f));
      out.emplace_back(buf);
    }
  }
  return out;
}

}  // namespace kerbpool::core::ntlm
