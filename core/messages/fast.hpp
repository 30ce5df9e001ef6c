#pragma once

#include <optional>

#include "core/messages/codec.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/types.hpp"

// FAST, Flexible Authentication Secure Tunneling (RFC 6113 section 5.4). MIT clients armor their TGS
// requests with it whenever the KDC announced FAST (PA-FX-FAST in the AS-REP's encrypted-pa-data), and an
// MIT KDC then answers with a PA-FX-FAST reply and a strengthened reply key. Wire only: the keys
// (crypto::cf2) and usages (iana::KeyUsage::FAST_*) are the caller's business.
namespace kerbpool::core::messages {

// KrbFastArmor ::= SEQUENCE { armor-type [0] Int32, armor-value [1] OCTET STRING }
// (armor-type 1 = FX_FAST_ARMOR_AP_REQUEST; absent in TGS requests, where the PA-TGS-REQ is the armor)
struct KrbFastArmor {
  std::int32_t armorType = 1;
  Bytes armorValue;
  bool operator==(const KrbFastArmor&) const = default;
};

// PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq, ... }
// KrbFastArmoredReq ::= SEQUENCE { armor [0] KrbFastArmor OPTIONAL, req-checksum [1] Checksum,
//   enc-fast-req [2] EncryptedData -- KrbFastReq -- }
// The value of a PA-FX-FAST padata in a request; armored-data is the only alternative, so the struct holds
// its fields. req-checksum: armor key, usage 50, over the outer req-body (AS) or the PA-TGS-REQ AP-REQ (TGS);
// enc-fast-req: armor key, usage 51.
struct PaFxFastRequest {
  std::optional<KrbFastArmor> armor;
  Checksum reqChecksum;
  EncryptedData encFastReq;
  bool operator==(const PaFxFastRequest&) const = default;
};

// KrbFastReq ::= SEQUENCE { fast-options [0] FastOptions, padata [1] SEQUENCE OF PA-DATA,
//   req-body [2] KDC-REQ-BODY }   (the inner request, replacing the outer padata and req-body)
struct KrbFastReq {
  KerberosFlags fastOptions = 0;
  MethodData padata;
  KdcReqBody reqBody;
  bool operator==(const KrbFastReq&) const = default;
};

// PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep, ... }
// KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0] EncryptedData -- KrbFastResponse -- }
// enc-fast-rep: armor key, usage 52.
struct PaFxFastReply {
  EncryptedData encFastRep;
  bool operator==(const PaFxFastReply&) const = default;
};

// KrbFastFinished ::= SEQUENCE { timestamp [0] KerberosTime, usec [1] Microseconds, crealm [2] Realm,
//   cname [3] PrincipalName, ticket-checksum [4] Checksum -- armor key, usage 53, over the ticket -- }
struct KrbFastFinished {
  KerberosTime timestamp = 0;
  Microseconds usec = 0;
  Realm crealm;
  PrincipalName cname;
  Checksum ticketChecksum;
  bool operator==(const KrbFastFinished&) const = default;
};

// KrbFastResponse ::= SEQUENCE { padata [0] SEQUENCE OF PA-DATA, strengthen-key [1] EncryptionKey OPTIONAL,
//   finished [2] KrbFastFinished OPTIONAL, nonce [3] UInt32 -- the request's nonce -- }
// With a strengthen-key the KDC-REP enc-part is sealed with
// cf2(strengthen-key, reply key, "strengthenkey", "replykey").
struct KrbFastResponse {
  MethodData padata;
  std::optional<EncryptionKey> strengthenKey;
  std::optional<KrbFastFinished> finished;
  std::uint32_t nonce = 0;
  bool operator==(const KrbFastResponse&) const = default;
};

void encodeTo(der::Writer& w, const KrbFastArmor& v);
void encodeTo(der::Writer& w, const PaFxFastRequest& v);
void encodeTo(der::Writer& w, const KrbFastReq& v);
void encodeTo(der::Writer& w, const PaFxFastReply& v);
void encodeTo(der::Writer& w, const KrbFastFinished& v);
void encodeTo(der::Writer& w, const KrbFastResponse& v);
Bytes encode(const PaFxFastRequest& v);
Bytes encode(const KrbFastReq& v);
Bytes encode(const PaFxFastReply& v);
Bytes encode(const KrbFastResponse& v);

template <>
Result<KrbFastArmor> decodeFrom<KrbFastArmor>(der::Reader& r, std::string_view field);
template <>
Result<PaFxFastRequest> decodeFrom<PaFxFastRequest>(der::Reader& r, std::string_view field);
template <>
Result<KrbFastReq> decodeFrom<KrbFastReq>(der::Reader& r, std::string_view field);
template <>
Result<PaFxFastReply> decodeFrom<PaFxFastReply>(der::Reader& r, std::string_view field);
template <>
Result<KrbFastFinished> decodeFrom<KrbFastFinished>(der::Reader& r, std::string_view field);
template <>
Result<KrbFastResponse> decodeFrom<KrbFastResponse>(der::Reader& r, std::string_view field);
template <>
Result<PaFxFastRequest> decode<PaFxFastRequest>(BytesView data);
template <>
Result<KrbFastReq> decode<KrbFastReq>(BytesView data);
template <>
Result<PaFxFastReply> decode<PaFxFastReply>(BytesView data);
template <>
Result<KrbFastResponse> decode<KrbFastResponse>(BytesView data);

}  // namespace kerbpool::core::messages
