#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/der/der_reader.hpp"
#include "core/spnego/gss_framing.hpp"

namespace kerbpool::core::spnego {

// SPNEGO tokens (RFC 4178 section 4.2, EXPLICIT TAGS) plus Microsoft's NegTokenInit2 (MS-SPNG 2.2.1).
// Only the first initiator token is framed with 60 .. SPNEGO OID; every later token is a bare
// NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] }.

// MS-SPNG NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL, hintAddress [1] OCTET STRING OPTIONAL
// }
struct NegHints {
  std::optional<std::string> hintName;  // Windows: "not_defined_in_RFC4178@please_ignore"
  std::optional<Bytes> hintAddress;

  bool operator==(const NegHints&) const = default;
};

// NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL,
//   mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
// NegTokenInit2 (MS-SPNG) has negHints at [3] and mechListMIC at [4]. Both decode into this struct; a
// token with negHints set is encoded as NegTokenInit2.
struct NegTokenInit {
  std::vector<Bytes> mechTypes;            // OID content octets, most preferred first
  std::optional<der::BitString> reqFlags;  // ContextFlags BIT STRING, kept as received
  std::optional<Bytes> mechToken;          // the mech's own framed token (krb5: 60 .. 01 00 AP-REQ)
  std::optional<NegHints> negHints;        // NegTokenInit2 only
  std::optional<Bytes> mechListMic;
  // DER of the MechTypeList SEQUENCE (30 ..) exactly as received: the input of the mechListMIC
  // (RFC 4178 section 5). Filled by the decoders; the encoder ignores it and encodes mechTypes.
  Bytes mechTypesDer;
};

// ENUMERATED negState (RFC 4178 section 4.2.2).
enum class NegState : std::uint8_t {
  AcceptCompleted = 0,
  AcceptIncomplete = 1,
  Reject = 2,
  RequestMic = 3,
};

std::string_view toString(NegState s);

// NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech [1] MechType OPTIONAL,
//   responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }
struct NegTokenResp {
  std::optional<NegState> negState;
  std::optional<Bytes> supportedMech;  // OID content octets
  std::optional<Bytes> responseToken;  // krb5: 60 .. 02 00 AP-REP (or 03 00 KRB-ERROR)
  std::optional<Bytes> mechListMic;
};

using NegotiationToken = std::variant<NegTokenInit, NegTokenResp>;

// DER of a MechTypeList SEQUENCE OF MechType: what GSS_GetMIC covers for mechListMIC.
Bytes encodeMechTypeList(const std::vector<Bytes>& mechTypes);

// Bare NegotiationToken choices: a0 .. and a1 ..
Bytes encodeNegTokenInit(const NegTokenInit& init);
Bytes encodeNegTokenResp(const NegTokenResp& resp);
Bytes encodeNegotiationToken(const NegotiationToken& token);
Result<NegTokenInit> decodeNegTokenInit(BytesView token);
Result<NegTokenResp> decodeNegTokenResp(BytesView token);
Result<NegotiationToken> decodeNegotiationToken(BytesView token);

// The framed first token: 60 <len> 06 06 2b0601050502 a0 ...
Bytes encodeInitialToken(const NegTokenInit& init);

// What an RFC 4559 acceptor may receive as a first token.
enum class InitialTokenKind {
  Spnego,      // 60 .. SPNEGO OID, NegTokenInit (or NegTokenInit2)
  Krb5,        // 60 .. krb5 OID 01 00 AP-REQ: a bare krb5 token, no SPNEGO
  RawNtlmssp,  // "NTLMSSP\0...": raw NTLM message (sent under Negotiate by some clients)
};

std::string_view toString(InitialTokenKind k);

struct InitialToken {
  InitialTokenKind kind = InitialTokenKind::Spnego;
  std::optional<NegTokenInit> negTokenInit;  // kind == Spnego
  std::optional<Krb5Token> krb5Token;        // kind == Krb5
  Bytes ntlmssp;                             // kind == RawNtlmssp: the bytes untouched
};

// Errors (Decoding): empty_token, not_gss_token (neither 0x60 framing nor NTLMSSP), unsupported_mech
// (framed with another OID), expected_neg_token_init (SPNEGO framing around something else than [0]),
// plus the codes of unwrapKrb5Token and the DER engine.
Result<InitialToken> decodeInitialToken(BytesView token);

}  // namespace kerbpool::core::spnego
