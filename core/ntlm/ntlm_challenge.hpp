#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_messages.hpp"
#include "core/ntlm/ntlmv2.hpp"

// Server side of NTLMv2 for a front-end (MS-NLMP 3.2.5), as pure logic. The front-end never sees a
// password: it builds the CHALLENGE, reads the AUTHENTICATE, hands user, domain, server challenge and
// NtChallengeResponse to whoever holds the NT hash (validateNtlmv2 on a DC, Netlogon pass-through), and
// with the SessionBaseKey it gets back finishes the exchange: session key and MIC.
namespace kerbpool::core::ntlm {

// Everything a server may grant; buildChallenge answers with the part the client asked for.
inline constexpr std::uint32_t kDefaultServerFlags =
    NTLMSSP_NEGOTIATE_UNICODE | NTLM_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |
    NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_IDENTIFY | NTLMSSP_NEGOTIATE_TARGET_INFO |
    NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;

struct ChallengeOptions {
  std::string nbDomainName;     // "CONTOSO"
  std::string nbComputerName;   // "WEB1"
  std::string dnsDomainName;    // "contoso.test"
  std::string dnsComputerName;  // "web1.contoso.test"
  std::string dnsTreeName;      // omitted when empty
  bool domainJoined = true;  // TargetName = NbDomainName with TARGET_TYPE_DOMAIN, else NbComputerName/SERVER
  std::uint32_t supportedFlags = kDefaultServerFlags;
  std::optional<NtlmVersion> version = NtlmVersion{10, 0, 20348, {}, 15};
};

// One connection's state between CHALLENGE and AUTHENTICATE: both messages exactly as sent, for the MIC.
struct PendingChallenge {
  Bytes negotiate;
  Bytes challenge;
  std::array<std::uint8_t, kChallengeBytes> serverChallenge{};
  std::uint32_t negotiateFlags = 0;
  std::uint64_t timestamp = 0;  // FILETIME in MsvAvTimestamp
};

// Decodes the NEGOTIATE, picks the flags (the client's request within supportedFlags, plus NTLM,
// TARGET_INFO, the target type, UNICODE or OEM, and ESS over LM_KEY), draws the server challenge from rng
// and stamps MsvAvTimestamp from clock.
Result<PendingChallenge> buildChallenge(BytesView negotiate, const ChallengeOptions& options, Rng& rng,
                                        const Clock& clock, std::size_t maxBytes = kDefaultMaxMessageBytes);

// A decoded AUTHENTICATE and what the server needs to check it.
struct AuthenticateRequest {
  AuthenticateMessage message;
  Ntlmv2ClientChallenge clientBlob;  // the temp inside NtChallengeResponse
  bool micRequired = false;          // the client's MsvAvFlags has 0x2
};

// Decodes and screens an AUTHENTICATE: Protocol "anonymous_refused" for an empty NtChallengeResponse,
// "not_ntlmv2_response" for an NTLMv1 one, "mic_missing" when MsvAvFlags announces a MIC that the header
// has no room for. The caller then validates (user, domain, serverChallenge, NtChallengeResponse).
Result<AuthenticateRequest> readAuthenticate(BytesView authenticate,
                                             std::size_t maxBytes = kDefaultMaxMessageBytes);

struct AcceptedContext {
  std::string user;
  std::string domain;
  std::string workstation;
  std::uint32_t negotiateFlags = 0;
  Bytes exportedSessionKey;
  bool micVerified = false;
};

// After validation: KeyExchangeKey = sessionBaseKey, the ExportedSessionKey (KEY_EXCH unwrap) and, when the
// client announced one, the MIC over the pending NEGOTIATE || CHALLENGE || authenticate (Integrity
// "mic_mismatch").
Result<AcceptedContext> completeAuthenticate(const PendingChallenge& pending, BytesView authenticate,
                                             BytesView sessionBaseKey,
                                             std::size_t maxBytes = kDefaultMaxMessageBytes);

}  // namespace kerbpool::core::ntlm
