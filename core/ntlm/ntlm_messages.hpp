#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/ntlm/av_pairs.hpp"

// The three NTLM messages (MS-NLMP 2.2.1): bytes <-> structs, no crypto and no policy.
//
// Every message starts with "NTLMSSP\0" and a le32 MessageType. Variable fields are security buffers
// {le16 Len, le16 MaxLen, le32 Offset from the message start}; decode checks each offset + length against
// the message (overlapping buffers are allowed, out-of-range ones are not) and ignores MaxLen, encode sets
// MaxLen = Len and lays the payload out in Windows order. Optional header fields (Version, MIC) are found
// through the payload offsets: they are present when the lowest offset of a non-empty buffer leaves room
// for them. Errors are ErrorCategory::Decoding with codes "message_too_large", "truncated",
// "bad_signature", "wrong_message_type", "buffer_out_of_range", "odd_utf16_length", "bad_utf16" and the
// av_* codes, and a detail naming message and field, e.g.
// "AUTHENTICATE.NtChallengeResponse offset 4096 + length 48 outside a 300-byte message".
namespace kerbpool::core::ntlm {

inline constexpr std::size_t kDefaultMaxMessageBytes = 64 * 1024;
inline constexpr std::size_t kChallengeBytes = 8;  // ServerChallenge and ClientChallenge
inline constexpr std::size_t kMicBytes = 16;
inline constexpr std::size_t kAuthenticateMicOffset = 72;

enum class MessageType : std::uint32_t { Negotiate = 1, Challenge = 2, Authenticate = 3 };

// VERSION (MS-NLMP 2.2.2.10): 8 bytes, kept exactly (the reserved bytes too) for byte-identical re-encoding.
struct NtlmVersion {
  std::uint8_t productMajorVersion = 0;
  std::uint8_t productMinorVersion = 0;
  std::uint16_t productBuild = 0;
  std::array<std::uint8_t, 3> reserved{};
  std::uint8_t ntlmRevisionCurrent = 15;  // NTLMSSP_REVISION_W2K3

  bool operator==(const NtlmVersion&) const = default;
};

// NEGOTIATE_MESSAGE (2.2.1.1). DomainName and Workstation are always OEM, held as raw bytes.
// version absent -> the 32-byte header of clients that send no Version field.
struct NegotiateMessage {
  std::uint32_t negotiateFlags = 0;
  std::string domainName;
  std::string workstation;
  std::optional<NtlmVersion> version;

  bool operator==(const NegotiateMessage&) const = default;
};

// CHALLENGE_MESSAGE (2.2.1.2). TargetName is UTF-8 when the flags carry NTLMSSP_NEGOTIATE_UNICODE, OEM bytes
// otherwise. targetInfo absent <-> an empty TargetInfo buffer.
struct ChallengeMessage {
  std::string targetName;
  std::uint32_t negotiateFlags = 0;
  std::array<std::uint8_t, kChallengeBytes> serverChallenge{};
  std::array<std::uint8_t, 8> reserved{};
  std::optional<AvPairList> targetInfo;
  std::optional<NtlmVersion> version;

  bool operator==(const ChallengeMessage&) const = default;
};

// AUTHENTICATE_MESSAGE (2.2.1.3). Strings follow the UNICODE flag of this message. version and mic are
// present when the header leaves room for them (header of 72 and 88 bytes); encode writes a zero Version
// when only the MIC is set.
struct AuthenticateMessage {
  Bytes lmChallengeResponse;
  Bytes ntChallengeResponse;
  std::string domainName;
  std::string userName;
  std::string workstation;
  Bytes encryptedRandomSessionKey;
  std::uint32_t negotiateFlags = 0;
  std::optional<NtlmVersion> version;
  std::optional<std::array<std::uint8_t, kMicBytes>> mic;

  bool operator==(const AuthenticateMessage&) const = default;
};

// Checks the signature and returns the MessageType field (any value, for dispatch).
Result<std::uint32_t> peekMessageType(BytesView message, std::size_t maxBytes = kDefaultMaxMessageBytes);

Result<Bytes> encodeNegotiate(const NegotiateMessage& m);
Result<NegotiateMessage> decodeNegotiate(BytesView message, std::size_t maxBytes = kDefaultMaxMessageBytes);

Result<Bytes> encodeChallenge(const ChallengeMessage& m);
Result<ChallengeMessage> decodeChallenge(BytesView message, std::size_t maxBytes = kDefaultMaxMessageBytes);

Result<Bytes> encodeAuthenticate(const AuthenticateMessage& m);
Result<AuthenticateMessage> decodeAuthenticate(BytesView message,
                                               std::size_t maxBytes = kDefaultMaxMessageBytes);

}  // namespace kerbpool::core::ntlm
