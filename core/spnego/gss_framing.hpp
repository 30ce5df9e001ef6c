#pragma once

#include <cstdint>
#include <string_view>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/spnego/oids.hpp"

namespace kerbpool::core::spnego {

// RFC 2743 section 3.1 InitialContextToken:
//   60 <DER length> 06 <len> <mech OID> <innerContextToken>
// The inner part is mechanism-defined and is NOT a single ASN.1 value (for krb5 it is TOK_ID followed by a
// Kerberos message). The outer length covers the OID TLV and the inner part exactly.
struct InitialContextToken {
  Bytes mechOid;  // DER content octets
  Bytes innerToken;
};

Bytes wrapInitialContextToken(BytesView mechOid, BytesView innerToken);
// Errors (Decoding): not_gss_token (first octet not 0x60), the DER engine's codes for the outer length
// (truncated, non_minimal_length, trailing_bytes...) and for the OID (bad_tag, bad_oid).
Result<InitialContextToken> unwrapInitialContextToken(BytesView token);

// RFC 4121 section 4.1 krb5 context-token TOK_ID (two octets, big-endian here).
enum class TokId : std::uint16_t {
  ApReq = 0x0100,
  ApRep = 0x0200,
  KrbError = 0x0300,
};

std::string_view toString(TokId id);

// A krb5 mechanism context token: 60 <len> <krb5 OID> <TOK_ID> <AP-REQ | AP-REP | KRB-ERROR>.
struct Krb5Token {
  Bytes mechOid;  // krb5, MS-krb5 or the old krb5 OID, as received
  TokId tokId = TokId::ApReq;
  Bytes message;  // the whole Kerberos message (starts 6e, 6f or 7e), not decoded here
};

Bytes wrapKrb5Token(TokId tokId, BytesView message, BytesView mechOid = krb5Oid());
// Errors (Decoding) besides the framing ones: not_krb5_mech (OID is not a Kerberos mechanism),
// truncated (no room for TOK_ID), bad_tok_id (unknown TOK_ID), missing_message (nothing after TOK_ID),
// tok_id_mismatch (the message's APPLICATION tag, 6e/6f/7e, does not match TOK_ID).
Result<Krb5Token> unwrapKrb5Token(BytesView token);

}  // namespace kerbpool::core::spnego
