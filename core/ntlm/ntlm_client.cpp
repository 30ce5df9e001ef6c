#include "core/ntlm/ntlm_client.hpp"

#include <algorithm>

#include "core/crypto/scoped_wipe.hpp"
#include "core/ntlm/av_pairs.hpp"
#include "core/ntlm/ntlm_mic.hpp"
#include "core/ntlm/ntlmv2.hpp"

namespace kerbpool::core::ntlm {

Result<NtlmCredentials> credentialsFromPassword(std::string user, std::string domain,
                                                std::string_view password) {
  KP_TRY(auto hash, ntHash(password));
  return NtlmCredentials{std::move(user), std::move(domain), std::move(hash)};
}

Result<Bytes> buildNegotiate(const ClientOptions& options) {
  NegotiateMessage m;
  m.negotiateFlags = options.negotiateFlags;
  if (hasFlag(options.negotiateFlags, NTLMSSP_NEGOTIATE_VERSION)) {
    m.version = options.version.value_or(NtlmVersion{});
  }
  return encodeNegotiate(m);
}

Result<ClientAuthenticate> buildAuthenticate(const ClientOptions& options, const NtlmCredentials& credentials,
                                             BytesView negotiate, BytesView challenge, TimePoint now,
                                             BytesView clientChallenge, BytesView randomSessionKey) {
  KP_TRY(auto chal, decodeChallenge(challenge));
  const std::uint32_t flags =
      (chal.negotiateFlags & options.negotiateFlags) | (options.negotiateFlags & NTLMSSP_REQUEST_TARGET);

  // The AV pairs the client returns: the server's TargetInfo, extended as MS-NLMP 3.1.5.1.2 describes.
  AvPairList pairs = chal.targetInfo.value_or(AvPairList{});
  const std::optional<std::uint64_t> serverTime = pairs.timestamp();
  const bool withMic = serverTime.has_value();
  if (withMic) {
    pairs.setFlags(pairs.flags().value_or(0) | kAvFlagMicPresent);
  }
  if (withMic || options.channelBindings) {
    const auto cb = options.channelBindings.value_or(std::array<std::uint8_t, kChannelBindingsBytes>{});
    pairs.set(AvId::MsvAvChannelBindings, Bytes(cb.begin(), cb.end()));
  }
  if (!options.targetSpn.empty()) {
    KP_CHECK(pairs.setText(AvId::MsvAvTargetName, options.targetSpn));
  }
  KP_TRY(auto encodedPairs, encodeAvPairs(pairs));

  KP_TRY(auto key, ntowfv2(credentials.ntHash, credentials.user, credentials.domain));
  crypto::ScopedWipe wipeKey(key);
  const std::uint64_t fileTime = serverTime.value_or(toFileTime(now));
  KP_TRY(auto response,
         computeClientResponse(key, chal.serverChallenge, clientChallenge, fileTime, encodedPairs));
  crypto::ScopedWipe wipeBase(response.sessionBaseKey);

  AuthenticateMessage m;
  m.negotiateFlags = flags;
  m.lmChallengeResponse = withMic ? Bytes(kLmv2ResponseBytes, 0) : response.lmChallengeResponse;
  m.ntChallengeResponse = response.ntChallengeResponse;
  m.domainName = credentials.domain;
  m.userName = credentials.user;
  m.workstation = options.workstation;
  if (hasFlag(flags, NTLMSSP_NEGOTIATE_VERSION)) {
    m.version = options.version.value_or(NtlmVersion{});
  }

  ClientAuthenticate out;
  out.negotiateFlags = flags;
  const Bytes kek = keyExchangeKey(response.sessionBaseKey);
  if (hasFlag(flags, NTLMSSP_NEGOTIATE_KEY_EXCH)) {
    KP_TRY(m.encryptedRandomSessionKey, encryptRandomSessionKey(kek, randomSessionKey));
    out.exportedSessionKey.assign(randomSessionKey.begin(), randomSessionKey.end());
  } else {
    out.exportedSessionKey = kek;
  }

  if (withMic) {
    m.mic = std::array<std::uint8_t, kMicBytes>{};
    KP_TRY(auto zeroed, encodeAuthenticate(m));
    KP_TRY(m.mic, computeMic(out.exportedSessionKey, negotiate, challenge, zeroed));
    out.micIncluded = true;
  }
  KP_TRY(out.message, encodeAuthenticate(m));
  return out;
}

Result<Bytes> NtlmClient::negotiate() {
  KP_TRY(negotiate_, buildNegotiate(options_));
  return negotiate_;
}

Result<ClientAuthenticate> NtlmClient::authenticate(BytesView challenge) {
  if (negotiate_.empty()) {
    return makeError(ErrorCategory::Protocol, "no_negotiate", "AUTHENTICATE requested before NEGOTIATE");
  }
  Bytes clientChallenge = rng_.bytes(kChallengeBytes);
  Bytes sessionKey = rng_.bytes(kSessionKeyBytes);
  crypto::ScopedWipe wipe(sessionKey);
  return buildAuthenticate(options_, credentials_, negotiate_, challenge, clock_.now(), clientChallenge,
                           sessionKey);
}

}  // namespace kerbpool::core::ntlm
