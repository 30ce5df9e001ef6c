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

// Client side of NTLMv2 (MS-NLMP 3.1.5) as pure logic: messages in and out as bytes, time and randomness
// passed in. No sockets, no HTTP.
namespace kerbpool::core::ntlm {

// What a current Windows client asks for: 0xe2888235.
inline constexpr std::uint32_t kDefaultClientFlags =
    NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
    NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 |
    NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;

// The user's identity and NT hash (MD4 of the UTF-16LE password); the password itself is not kept.
struct NtlmCredentials {
  std::string user;
  std::string domain;
  Bytes ntHash;
};
Result<NtlmCredentials> credentialsFromPassword(std::string user, std::string domain,
                                                std::string_view password);

struct ClientOptions {
  std::uint32_t negotiateFlags = kDefaultClientFlags;
  std::optional<NtlmVersion> version = NtlmVersion{10, 0, 19041, {}, 15};
  std::string workstation;
  // MD5 of the gss_channel_bindings_struct (MsvAvChannelBindings); sent as Z16 when absent and a MIC is sent.
  std::optional<std::array<std::uint8_t, kChannelBindingsBytes>> channelBindings;
  std::string targetSpn;  // MsvAvTargetName ("HTTP/web.contoso.test"); omitted when empty
};

struct ClientAuthenticate {
  Bytes message;             // the AUTHENTICATE bytes
  Bytes exportedSessionKey;  // for NtlmSession
  std::uint32_t negotiateFlags = 0;
  bool micIncluded = false;
};

// NEGOTIATE: the option flags, empty DomainName/Workstation, Version when NTLMSSP_NEGOTIATE_VERSION is set.
Result<Bytes> buildNegotiate(const ClientOptions& options);

// AUTHENTICATE for a received CHALLENGE. The flags are those both sides set (plus the client's
// REQUEST_TARGET). When the CHALLENGE TargetInfo carries MsvAvTimestamp the client uses that time, sends a
// zero LmChallengeResponse, sets MsvAvFlags 0x2, adds MsvAvChannelBindings and includes the MIC over
// negotiate || challenge || AUTHENTICATE, as Windows does; otherwise it uses `now` and sends LMv2.
// randomSessionKey (16 bytes) becomes the ExportedSessionKey with KEY_EXCH.
Result<ClientAuthenticate> buildAuthenticate(const ClientOptions& options, const NtlmCredentials& credentials,
                                             BytesView negotiate, BytesView challenge, TimePoint now,
                                             BytesView clientChallenge, BytesView randomSessionKey);

// The same steps holding the NEGOTIATE bytes, drawing time from a Clock and the client challenge and
// session key from an Rng.
class NtlmClient {
 public:
  NtlmClient(ClientOptions options, NtlmCredentials credentials, const Clock& clock, Rng& rng)
      : options_(std::move(options)), credentials_(std::move(credentials)), clock_(clock), rng_(rng) {}

  Result<Bytes> negotiate();
  // Protocol "no_negotiate" when called before negotiate().
  Result<ClientAuthenticate> authenticate(BytesView challenge);

 private:
  ClientOptions options_;
  NtlmCredentials credentials_;
  const Clock& clock_;
  Rng& rng_;
  Bytes negotiate_;
};

}  // namespace kerbpool::core::ntlm
