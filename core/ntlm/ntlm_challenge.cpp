#include "core/ntlm/ntlm_challenge.hpp"

#include <algorithm>

#include "core/ntlm/av_pairs.hpp"
#include "core/ntlm/ntlm_mic.hpp"

namespace kerbpool::core::ntlm {

namespace {

constexpr std::uint32_t kEchoedFlags =
    NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_IDENTIFY | NTLMSSP_NEGOTIATE_128 |
    NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;

std::uint32_t chooseFlags(std::uint32_t requested, const ChallengeOptions& options) {
  const std::uint32_t supported = options.supportedFlags;
  std::uint32_t flags = requested & supported & kEchoedFlags;
  if (hasFlag(requested, NTLMSSP_NEGOTIATE_UNICODE) && hasFlag(supported, NTLMSSP_NEGOTIATE_UNICODE)) {
    flags |= NTLMSSP_NEGOTIATE_UNICODE;
  } else {
    flags |= NTLM_NEGOTIATE_OEM;
  }
  flags |= NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_TARGET_INFO;
  flags |= options.domainJoined ? NTLMSSP_TARGET_TYPE_DOMAIN : NTLMSSP_TARGET_TYPE_SERVER;
  if (options.version && hasFlag(requested, NTLMSSP_NEGOTIATE_VERSION) &&
      hasFlag(supported, NTLMSSP_NEGOTIATE_VERSION)) {
    flags |= NTLMSSP_NEGOTIATE_VERSION;
  }
  return flags;
}

}  // namespace

Result<PendingChallenge> buildChallenge(BytesView negotiate, const ChallengeOptions& options, Rng& rng,
                                        const Clock& clock, std::size_t maxBytes) {
  KP_TRY(auto neg, decodeNegotiate(negotiate, maxBytes));
  PendingChallenge out;
  out.negotiate.assign(negotiate.begin(), negotiate.end());
  out.negotiateFlags = chooseFlags(neg.negotiateFlags, options);
  rng.fill(out.serverChallenge);
  out.timestamp = toFileTime(clock.now());

  AvPairList info;
  KP_CHECK(info.setText(AvId::MsvAvNbDomainName, options.nbDomainName));
  KP_CHECK(info.setText(AvId::MsvAvNbComputerName, options.nbComputerName));
  KP_CHECK(info.setText(AvId::MsvAvDnsDomainName, options.dnsDomainName));
  KP_CHECK(info.setText(AvId::MsvAvDnsComputerName, options.dnsComputerName));
  if (!options.dnsTreeName.empty()) {
    KP_CHECK(info.setText(AvId::MsvAvDnsTreeName, options.dnsTreeName));
  }
  info.setTimestamp(out.timestamp);

  ChallengeMessage m;
  m.targetName = options.domainJoined ? options.nbDomainName : options.nbComputerName;
  m.negotiateFlags = out.negotiateFlags;
  m.serverChallenge = out.serverChallenge;
  m.targetInfo = std::move(info);
  if (hasFlag(out.negotiateFlags, NTLMSSP_NEGOTIATE_VERSION)) {
    m.version = options.version;
  }
  KP_TRY(out.challenge, encodeChallenge(m));
  return out;
}

Result<AuthenticateRequest> readAuthenticate(BytesView authenticate, std::size_t maxBytes) {
  KP_TRY(auto message, decodeAuthenticate(authenticate, maxBytes));
  const auto& nt = message.ntChallengeResponse;
  if (nt.empty()) {
    return makeError(ErrorCategory::Protocol, "anonymous_refused",
                     "AUTHENTICATE has an empty NtChallengeResponse (anonymous)");
  }
  if (nt.size() < kMinNtlmv2ResponseBytes) {
    return makeError(ErrorCategory::Protocol, "not_ntlmv2_response",
                     "AUTHENTICATE.NtChallengeResponse of " + std::to_string(nt.size()) +
                         " bytes is not NTLMv2 (NTLMv1 is refused)");
  }
  KP_TRY(auto blob, decodeTemp(BytesView(nt).subspan(kNtProofStrBytes)));
  AuthenticateRequest out;
  out.micRequired = (blob.avPairs.flags().value_or(0) & kAvFlagMicPresent) != 0;
  if (out.micRequired && !message.mic) {
    return makeError(ErrorCategory::Protocol, "mic_missing",
                     "MsvAvFlags announces a MIC but the AUTHENTICATE header has no MIC field");
  }
  out.message = std::move(message);
  out.clientBlob = std::move(blob);
  return out;
}

Result<AcceptedContext> completeAuthenticate(const PendingChallenge& pending, BytesView authenticate,
                                             BytesView sessionBaseKey, std::size_t maxBytes) {
  KP_TRY(auto request, readAuthenticate(authenticate, maxBytes));
  AcceptedContext out;
  out.negotiateFlags = request.message.negotiateFlags;
  KP_TRY(out.exportedSessionKey, exportedSessionKey(out.negotiateFlags, keyExchangeKey(sessionBaseKey),
                                                    request.message.encryptedRandomSessionKey));
  if (request.micRequired) {
    KP_CHECK(verifyMic(out.exportedSessionKey, pending.negotiate, pending.challenge, authenticate));
    out.micVerified = true;
  }
  out.user = std::move(request.message.userName);
  out.domain = std::move(request.message.domainName);
  out.workstation = std::move(request.message.workstation);
  return out;
}

}  // namespace kerbpool::core::ntlm
