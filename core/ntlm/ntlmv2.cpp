#include "core/ntlm/ntlmv2.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/crypto/primitives.hpp"
#include "core/crypto/scoped_wipe.hpp"
#include "core/crypto/utf16le.hpp"
#include "core/ntlm/ntlm_flags.hpp"
#include "core/ntlm/ntlm_messages.hpp"
#include "core/ntlm/ntlm_strings.hpp"
#include "core/ntlm/ntlm_wire.hpp"

namespace kerbpool::core::ntlm {

namespace {

// Microseconds from 1601-01-01 to 1970-01-01.
constexpr std::int64_t kEpochDeltaMicros = 11644473600LL * 1000000LL;

Status checkSize(BytesView b, std::size_t want, std::string_view what) {
  if (b.size() != want) {
    return makeError(
        ErrorCategory::Crypto, "bad_key_size",
        std::string(what) + " must be " + std::to_string(want) + " bytes, got " + std::to_string(b.size()));
  }
  return okStatus();
}

Bytes concat(BytesView a, BytesView b) {
  Bytes out(a.begin(), a.end());
  append(out, b);
  return out;
}

}  // namespace

std::uint64_t toFileTime(TimePoint t) {
  const std::int64_t us = t.time_since_epoch().count();
  if (us < -kEpochDeltaMicros) {
    return 0;
  }
  return static_cast<std::uint64_t>(us + kEpochDeltaMicros) * 10U;
}

TimePoint fromFileTime(std::uint64_t fileTime) {
  return TimePoint(Micros(static_cast<std::int64_t>(fileTime / 10U) - kEpochDeltaMicros));
}

Result<Bytes> ntHash(std::string_view password) {
  KP_TRY(auto utf16, crypto::utf8ToUtf16le(password));
  crypto::ScopedWipe wipe(utf16);
  return crypto::md4(utf16);
}

Result<Bytes> ntowfv2(BytesView ntHash, std::string_view user, std::string_view domain) {
  KP_CHECK(checkSize(ntHash, kNtHashBytes, "NT hash"));
  KP_TRY(auto userUtf16, crypto::utf8ToUtf16le(user));
  KP_TRY(auto domainUtf16, crypto::utf8ToUtf16le(domain));
  Bytes who = upperCaseUtf16le(userUtf16);
  append(who, domainUtf16);
  return crypto::hmacMd5(ntHash, who);
}

Result<Bytes> ntowfv2FromPassword(std::string_view password, std::string_view user, std::string_view domain) {
  KP_TRY(auto hash, ntHash(password));
  crypto::ScopedWipe wipe(hash);
  return ntowfv2(hash, user, domain);
}

Result<Bytes> lmowfv2FromPassword(std::string_view password, std::string_view user, std::string_view domain) {
  return ntowfv2FromPassword(password, user, domain);
}

Result<Bytes> buildTemp(std::uint64_t fileTime, BytesView clientChallenge, BytesView encodedAvPairs) {
  KP_CHECK(checkSize(clientChallenge, kChallengeBytes, "ClientChallenge"));
  Bytes temp{1, 1, 0, 0, 0, 0, 0, 0};
  wire::putLe64(temp, fileTime);
  append(temp, clientChallenge);
  wire::putLe32(temp, 0);
  append(temp, encodedAvPairs);
  wire::putLe32(temp, 0);
  return temp;
}

Result<Ntlmv2ClientChallenge> decodeTemp(BytesView temp) {
  if (temp.size() < kTempHeaderBytes) {
    return makeError(ErrorCategory::Decoding, "truncated",
                     "NTLMv2_CLIENT_CHALLENGE needs " + std::to_string(kTempHeaderBytes) + " bytes, got " +
                         std::to_string(temp.size()));
  }
  Ntlmv2ClientChallenge out;
  out.respType = temp[0];
  out.hiRespType = temp[1];
  out.timeStamp = wire::getLe64(temp, 8);
  std::copy_n(temp.begin() + 16, kChallengeBytes, out.challengeFromClient.begin());
  KP_TRY(auto pairs, decodeAvPairsPrefix(temp.subspan(kTempHeaderBytes), "NTLMv2_CLIENT_CHALLENGE.AvPairs"));
  out.avPairs = std::move(pairs.list);
  out.trailingBytes = temp.size() - kTempHeaderBytes - pairs.consumed;
  return out;
}

Result<Bytes> ntProofStr(BytesView ntowfv2, BytesView serverChallenge, BytesView temp) {
  KP_CHECK(checkSize(ntowfv2, kSessionKeyBytes, "NTOWFv2"));
  KP_CHECK(checkSize(serverChallenge, kChallengeBytes, "ServerChallenge"));
  return crypto::hmacMd5(ntowfv2, concat(serverChallenge, temp));
}

Result<Bytes> lmv2Response(BytesView lmowfv2, BytesView serverChallenge, BytesView clientChallenge) {
  KP_CHECK(checkSize(lmowfv2, kSessionKeyBytes, "LMOWFv2"));
  KP_CHECK(checkSize(serverChallenge, kChallengeBytes, "ServerChallenge"));
  KP_CHECK(checkSize(clientChallenge, kChallengeBytes, "ClientChallenge"));
  KP_TRY(auto mac, crypto::hmacMd5(lmowfv2, concat(serverChallenge, clientChallenge)));
  append(mac, clientChallenge);
  return mac;
}

Result<Bytes> sessionBaseKey(BytesView ntowfv2, BytesView ntProofStr) {
  KP_CHECK(checkSize(ntowfv2, kSessionKeyBytes, "NTOWFv2"));
  KP_CHECK(checkSize(ntProofStr, kNtProofStrBytes, "NTProofStr"));
  return crypto::hmacMd5(ntowfv2, ntProofStr);
}

Bytes keyExchangeKey(BytesView sessionBaseKey) {
  return Bytes(sessionBaseKey.begin(), sessionBaseKey.end());
}

Result<Bytes> encryptRandomSessionKey(BytesView keyExchangeKey, BytesView randomSessionKey) {
  KP_CHECK(checkSize(keyExchangeKey, kSessionKeyBytes, "KeyExchangeKey"));
  KP_CHECK(checkSize(randomSessionKey, kSessionKeyBytes, "RandomSessionKey"));
  return crypto::rc4(keyExchangeKey, randomSessionKey);
}

Result<Bytes> exportedSessionKey(std::uint32_t negotiateFlags, BytesView keyExchangeKey,
                                 BytesView encryptedRandomSessionKey) {
  KP_CHECK(checkSize(keyExchangeKey, kSessionKeyBytes, "KeyExchangeKey"));
  if (!hasFlag(negotiateFlags, NTLMSSP_NEGOTIATE_KEY_EXCH)) {
    return Bytes(keyExchangeKey.begin(), keyExchangeKey.end());
  }
  // MS-NLMP 3.2.5.1.2 unwraps only when SIGN or SEAL is negotiated too; a client that sent no key then
  // keeps the KeyExchangeKey.
  const bool signOrSeal =
      hasFlag(negotiateFlags, NTLMSSP_NEGOTIATE_SIGN) || hasFlag(negotiateFlags, NTLMSSP_NEGOTIATE_SEAL);
  if (encryptedRandomSessionKey.empty() && !signOrSeal) {
    return Bytes(keyExchangeKey.begin(), keyExchangeKey.end());
  }
  if (encryptedRandomSessionKey.size() != kSessionKeyBytes) {
    return makeError(ErrorCategory::Decoding, "bad_session_key_length",
                     "AUTHENTICATE.EncryptedRandomSessionKey is " +
                         std::to_string(encryptedRandomSessionKey.size()) +
                         " bytes, NTLMSSP_NEGOTIATE_KEY_EXCH needs 16");
  }
  return crypto::rc4(keyExchangeKey, encryptedRandomSessionKey);
}

Result<ClientResponse> computeClientResponse(BytesView ntowfv2, BytesView serverChallenge,
                                             BytesView clientChallenge, std::uint64_t fileTime,
                                             BytesView encodedAvPairs) {
  KP_TRY(auto temp, buildTemp(fileTime, clientChallenge, encodedAvPairs));
  KP_TRY(auto proof, ntProofStr(ntowfv2, serverChallenge, temp));
  ClientResponse out;
  KP_TRY(out.lmChallengeResponse, lmv2Response(ntowfv2, serverChallenge, clientChallenge));
  KP_TRY(out.sessionBaseKey, sessionBaseKey(ntowfv2, proof));
  out.ntChallengeResponse = std::move(proof);
  append(out.ntChallengeResponse, temp);
  return out;
}

Result<Bytes> verifyNtlmv2Response(BytesView ntowfv2, BytesView serverChallenge,
                                   BytesView ntChallengeResponse) {
  if (ntChallengeResponse.size() < kMinNtlmv2ResponseBytes) {
    return makeError(ErrorCategory::Protocol, "not_ntlmv2_response",
                     "NtChallengeResponse of " + std::to_string(ntChallengeResponse.size()) +
                         " bytes is shorter than an NTLMv2 response (" +
                         std::to_string(kMinNtlmv2ResponseBytes) + ")");
  }
  const BytesView received = ntChallengeResponse.first(kNtProofStrBytes);
  const BytesView temp = ntChallengeResponse.subspan(kNtProofStrBytes);
  KP_TRY(auto expected, ntProofStr(ntowfv2, serverChallenge, temp));
  if (!constantTimeEqual(expected, received)) {
    return makeError(ErrorCategory::Integrity, "ntlmv2_proof_mismatch",
                     "NTProofStr does not match the user's key and the server challenge");
  }
  return sessionBaseKey(ntowfv2, expected);
}

Result<Bytes> validateNtlmv2(BytesView ntHash, std::string_view user, std::string_view domain,
                             BytesView serverChallenge, BytesView ntChallengeResponse) {
  KP_TRY(auto key, ntowfv2(ntHash, user, domain));
  crypto::ScopedWipe wipe(key);
  return verifyNtlmv2Response(key, serverChallenge, ntChallengeResponse);
}

}  // namespace kerbpool::core::ntlm
