#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/clock.hpp"
#include "core/common/result.hpp"
#include "core/ntlm/av_pairs.hpp"

// NTLMv2 (MS-NLMP 3.3.2) and the session-key steps of 3.1.5.1.2 / 3.2.5.1.2 as pure functions. Key-size
// mistakes are ErrorCategory::Crypto "bad_key_size"; a proof that does not match is ErrorCategory::Integrity
// "ntlmv2_proof_mismatch". No function here logs or keeps key material.
namespace kerbpool::core::ntlm {

inline constexpr std::size_t kNtHashBytes = 16;
inline constexpr std::size_t kNtProofStrBytes = 16;
inline constexpr std::size_t kSessionKeyBytes = 16;
inline constexpr std::size_t kTempHeaderBytes = 28;  // RespType .. Reserved3, before the AV pairs
inline constexpr std::size_t kLmv2ResponseBytes = 24;
// NTProofStr + temp header + MsvAvEOL: anything shorter is not an NTLMv2 response (24 bytes is NTLMv1).
inline constexpr std::size_t kMinNtlmv2ResponseBytes = kNtProofStrBytes + kTempHeaderBytes + 4;

// FILETIME: 100 ns ticks since 1601-01-01 UTC (times before 1601 become 0).
std::uint64_t toFileTime(TimePoint t);
TimePoint fromFileTime(std::uint64_t fileTime);

// NTOWFv1 = MD4(UTF16LE(password)): the NT hash a DC stores.
Result<Bytes> ntHash(std::string_view password);
// NTOWFv2 = HMAC-MD5(ntHash, UTF16LE(UPPERCASE(user) || domain)); only the user is upper-cased.
Result<Bytes> ntowfv2(BytesView ntHash, std::string_view user, std::string_view domain);
Result<Bytes> ntowfv2FromPassword(std::string_view password, std::string_view user, std::string_view domain);
// LMOWFv2 is the same value as NTOWFv2 (MS-NLMP 3.3.2).
Result<Bytes> lmowfv2FromPassword(std::string_view password, std::string_view user, std::string_view domain);

// NTLMv2_CLIENT_CHALLENGE (2.2.2.7), the "temp" of 3.3.2.
struct Ntlmv2ClientChallenge {
  std::uint8_t respType = 1;
  std::uint8_t hiRespType = 1;
  std::uint64_t timeStamp = 0;  // FILETIME
  std::array<std::uint8_t, 8> challengeFromClient{};
  AvPairList avPairs;
  std::size_t trailingBytes = 0;  // after MsvAvEOL: 4 zero bytes from Windows clients
};

// temp = 01 01 | Z6 | le64 time | clientChallenge | Z4 | encodedAvPairs (ending with EOL) | Z4.
Result<Bytes> buildTemp(std::uint64_t fileTime, BytesView clientChallenge, BytesView encodedAvPairs);
// Parses the temp inside an NtChallengeResponse (the bytes after NTProofStr), strictly up to MsvAvEOL.
Result<Ntlmv2ClientChallenge> decodeTemp(BytesView temp);

// NTProofStr = HMAC-MD5(NTOWFv2, serverChallenge || temp).
Result<Bytes> ntProofStr(BytesView ntowfv2, BytesView serverChallenge, BytesView temp);
// LMv2 = HMAC-MD5(LMOWFv2, serverChallenge || clientChallenge) || clientChallenge (24 bytes).
Result<Bytes> lmv2Response(BytesView lmowfv2, BytesView serverChallenge, BytesView clientChallenge);
// SessionBaseKey = HMAC-MD5(NTOWFv2, NTProofStr); for NTLMv2 it is also the KeyExchangeKey.
Result<Bytes> sessionBaseKey(BytesView ntowfv2, BytesView ntProofStr);
Bytes keyExchangeKey(BytesView sessionBaseKey);
// EncryptedRandomSessionKey = RC4(KeyExchangeKey, RandomSessionKey) (client side, with KEY_EXCH).
Result<Bytes> encryptRandomSessionKey(BytesView keyExchangeKey, BytesView randomSessionKey);
// ExportedSessionKey: with KEY_EXCH, RC4(KeyExchangeKey, EncryptedRandomSessionKey) (must be 16 bytes,
// Decoding "bad_session_key_length", except that an empty one is accepted when neither SIGN nor SEAL is
// negotiated); without KEY_EXCH, the KeyExchangeKey.
Result<Bytes> exportedSessionKey(std::uint32_t negotiateFlags, BytesView keyExchangeKey,
                                 BytesView encryptedRandomSessionKey);

struct ClientResponse {
  Bytes ntChallengeResponse;  // NTProofStr || temp
  Bytes lmChallengeResponse;  // LMv2
  Bytes sessionBaseKey;
};

// The client's responses for one CHALLENGE: temp over encodedAvPairs (the AV pairs the client sends,
// ending with MsvAvEOL), NTProofStr, LMv2 and SessionBaseKey.
Result<ClientResponse> computeClientResponse(BytesView ntowfv2, BytesView serverChallenge,
                                             BytesView clientChallenge, std::uint64_t fileTime,
                                             BytesView encodedAvPairs);

// Server/DC check: recomputes NTProofStr over the temp exactly as received and compares it in constant
// time. Returns the SessionBaseKey. A response under kMinNtlmv2ResponseBytes is Protocol
// "not_ntlmv2_response"; a mismatch is Integrity "ntlmv2_proof_mismatch".
Result<Bytes> verifyNtlmv2Response(BytesView ntowfv2, BytesView serverChallenge,
                                   BytesView ntChallengeResponse);

// What a domain controller does for Netlogon pass-through: it holds only the NT hash (MD4 of the
// password), derives NTOWFv2 from the user and domain as the client sent them, and verifies the response.
Result<Bytes> validateNtlmv2(BytesView ntHash, std::string_view user, std::string_view domain,
                             BytesView serverChallenge, BytesView ntChallengeResponse);

}  // namespace kerbpool::core::ntlm
