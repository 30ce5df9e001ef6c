#pragma once

#include <cstdint>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"

namespace kerbpool::core::spnego {

// RFC 4121 section 4.2 per-message tokens of the krb5 mechanism (the "CFX" format used by the AES and
// newer enctypes; rc4-hmac and des3 contexts use the older RFC 1964/4757 tokens and are refused here).
//   MIC:  04 04 | flags | FF FF FF FF FF | SND_SEQ (BE64) | checksum(message || these 16 octets)
//   Wrap: 05 04 | flags | FF | EC (BE16) | RRC (BE16) | SND_SEQ (BE64) | data (rotated right by RRC)
// Integrity-only Wrap: data = payload || checksum(payload || header with EC = RRC = 0), EC = checksum size.
// Sealed Wrap: data = encrypt(payload || EC filler octets || header with RRC = 0).

enum class GssRole {
  Initiator,
  Acceptor,
};

// Token flags (RFC 4121 section 4.2.2).
namespace token_flags {
inline constexpr std::uint8_t kSentByAcceptor = 0x01;
inline constexpr std::uint8_t kSealed = 0x02;
inline constexpr std::uint8_t kAcceptorSubkey = 0x04;
}  // namespace token_flags

// Key usages (RFC 4121 section 2).
namespace gss_key_usage {
inline constexpr std::uint32_t kAcceptorSeal = 22;
inline constexpr std::uint32_t kAcceptorSign = 23;
inline constexpr std::uint32_t kInitiatorSeal = 24;
inline constexpr std::uint32_t kInitiatorSign = 25;
}  // namespace gss_key_usage

inline constexpr std::uint16_t kMicTokId = 0x0404;
inline constexpr std::uint16_t kWrapTokId = 0x0504;
inline constexpr std::size_t kCfxHeaderSize = 16;

// Usage for Wrap (seal) or MIC (sign) tokens sent by `sender`.
std::uint32_t sealUsage(GssRole sender);
std::uint32_t signUsage(GssRole sender);
// True for enctypes that use these tokens (not rc4-hmac, des, des3).
bool usesCfxTokens(std::int32_t enctype);

// Wire view of a token, before any cryptography.
struct MicToken {
  std::uint8_t flags = 0;
  std::uint64_t sndSeq = 0;
  Bytes checksum;
};

struct WrapToken {
  std::uint8_t flags = 0;
  std::uint16_t ec = 0;
  std::uint16_t rrc = 0;
  std::uint64_t sndSeq = 0;
  Bytes data;  // everything after the header, still rotated

  bool sealed() const { return (flags & token_flags::kSealed) != 0; }
};

// Errors (Decoding): truncated (< 16 octets), bad_tok_id, bad_filler.
Result<MicToken> parseMicToken(BytesView token);
Result<WrapToken> parseWrapToken(BytesView token);

// What the sender puts in the header. The key is the one RFC 4121 section 2 selects (acceptor subkey,
// else initiator subkey, else ticket session key); acceptorSubkey sets the AcceptorSubkey flag.
struct TokenParams {
  GssRole sender = GssRole::Initiator;
  bool acceptorSubkey = false;
  std::uint64_t sndSeq = 0;
};

struct WrapParams {
  TokenParams token;
  bool seal = false;      // confidentiality (Sealed flag) or integrity only
  std::uint16_t rrc = 0;  // right rotation count (Windows: 12 integrity-only, 28 sealed)
  std::uint16_t ec = 0;   // sealed only: filler octets (0 for AES, which needs no padding)
  bool dceStyle = false;  // sealed only: rotate by RRC + EC as Windows does in DCE style
};

// Receiver-side expectations.
struct UnwrapParams {
  GssRole sender = GssRole::Initiator;  // who must have sent it (checked against SentByAcceptor)
  bool dceStyle = false;                // sealed tokens rotated by RRC + EC (Heimdal's Windows DCE-RPC rule)
};

struct Unwrapped {
  Bytes payload;
  bool sealed = false;
  std::uint8_t flags = 0;
  std::uint64_t sndSeq = 0;  // for the caller's replay/sequence window
};

// GSS_GetMIC / GSS_VerifyMIC. Crypto errors (unsupported_enctype...) come from core/crypto; a wrong
// direction is Protocol/bad_direction; a bad checksum is Integrity/bad_integrity.
Result<Bytes> makeMicToken(const crypto::Key& key, const TokenParams& params, BytesView message);
Result<MicToken> verifyMicToken(const crypto::Key& key, GssRole sender, BytesView message, BytesView token);

// GSS_Wrap / GSS_Unwrap. The rng supplies the confounder of sealed tokens (unused when integrity-only).
Result<Bytes> makeWrapToken(const crypto::Key& key, const WrapParams& params, BytesView payload, Rng& rng);
// Additional errors: bad_ec (EC inconsistent with the checksum size or the decrypted length),
// Integrity/header_mismatch (the encrypted header copy differs from the clear header).
Result<Unwrapped> unwrapToken(const crypto::Key& key, const UnwrapParams& params, BytesView token);

}  // namespace kerbpool::core::spnego
