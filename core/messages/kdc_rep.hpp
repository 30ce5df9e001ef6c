#pragma once

#include <optional>

#include "core/messages/codec.hpp"
#include "core/messages/ticket.hpp"
#include "core/messages/types.hpp"

// KDC-REP: AS-REP and TGS-REP, and their encrypted part (RFC 4120 5.4.2).
namespace kerbpool::core::messages {

// KDC-REP ::= SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (11 | 13),
//   padata [2] SEQUENCE OF PA-DATA OPTIONAL, crealm [3] Realm, cname [4] PrincipalName,
//   ticket [5] Ticket, enc-part [6] EncryptedData }
// pvno and msg-type are implied by the type and checked on decode. ticket.raw keeps the ticket's bytes.
struct KdcRep {
  std::optional<MethodData> padata;  // e.g. PA-ETYPE-INFO2 with one entry
  Realm crealm;
  PrincipalName cname;
  Ticket ticket;
  EncryptedData encPart;  // EncKdcRepPart: usage 3 (AS, client key) or 8/9 (TGS)
  bool operator==(const KdcRep&) const = default;
};
struct AsRep : KdcRep {};   // [APPLICATION 11]
struct TgsRep : KdcRep {};  // [APPLICATION 13]

// Which application tag an EncKDCRepPart carries. RFC 4120 says 25 for AS and 26 for TGS replies, but MIT
// emits 26 for both, so decoding accepts either in any reply and records what it saw; re-encoding then
// reproduces the input. Emit 25 for AS replies (some clients reject 26 there) and 26 for TGS replies.
enum class EncKdcRepPartTag : std::uint32_t {
  EncASRepPart = 25,
  EncTGSRepPart = 26,
};

// EncKDCRepPart ::= SEQUENCE { key [0] EncryptionKey, last-req [1] LastReq, nonce [2] UInt32,
//   key-expiration [3] KerberosTime OPTIONAL, flags [4] TicketFlags, authtime [5] KerberosTime,
//   starttime [6] KerberosTime OPTIONAL, endtime [7] KerberosTime, renew-till [8] KerberosTime OPTIONAL,
//   srealm [9] Realm, sname [10] PrincipalName, caddr [11] HostAddresses OPTIONAL,
//   encrypted-pa-data [12] METHOD-DATA OPTIONAL -- RFC 6806 11, sent by MIT -- }
struct EncKdcRepPart {
  EncKdcRepPartTag tag = EncKdcRepPartTag::EncASRepPart;
  EncryptionKey key;
  LastReq lastReq;
  std::uint32_t nonce = 0;
  std::optional<KerberosTime> keyExpiration;
  KerberosFlags flags = 0;  // iana::ticket_flags
  KerberosTime authtime = 0;
  std::optional<KerberosTime> starttime;
  KerberosTime endtime = 0;
  std::optional<KerberosTime> renewTill;
  Realm srealm;
  PrincipalName sname;
  std::optional<HostAddresses> caddr;
  std::optional<MethodData> encryptedPaData;
  bool operator==(const EncKdcRepPart&) const = default;
};

void encodeTo(der::Writer& w, const AsRep& v);
void encodeTo(der::Writer& w, const TgsRep& v);
void encodeTo(der::Writer& w, const EncKdcRepPart& v);
Bytes encode(const AsRep& v);
Bytes encode(const TgsRep& v);
Bytes encode(const EncKdcRepPart& v);

template <>
Result<AsRep> decodeFrom<AsRep>(der::Reader& r, std::string_view field);
template <>
Result<TgsRep> decodeFrom<TgsRep>(der::Reader& r, std::string_view field);
template <>
Result<EncKdcRepPart> decodeFrom<EncKdcRepPart>(der::Reader& r, std::string_view field);
template <>
Result<AsRep> decode<AsRep>(BytesView data);
template <>
Result<TgsRep> decode<TgsRep>(BytesView data);
template <>
Result<EncKdcRepPart> decode<EncKdcRepPart>(BytesView data);

}  // namespace kerbpool::core::messages
