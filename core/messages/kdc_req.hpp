#pragma once

#include <optional>
#include <vector>

#include "core/messages/codec.hpp"
#include "core/messages/ticket.hpp"
#include "core/messages/types.hpp"

// KDC-REQ: AS-REQ and TGS-REQ (RFC 4120 5.4.1).
namespace kerbpool::core::messages {

// KDC-REQ-BODY ::= SEQUENCE {
//   kdc-options [0] KDCOptions, cname [1] PrincipalName OPTIONAL, realm [2] Realm,
//   sname [3] PrincipalName OPTIONAL, from [4] KerberosTime OPTIONAL, till [5] KerberosTime,
//   rtime [6] KerberosTime OPTIONAL, nonce [7] UInt32, etype [8] SEQUENCE OF Int32,
//   addresses [9] HostAddresses OPTIONAL, enc-authorization-data [10] EncryptedData OPTIONAL,
//   additional-tickets [11] SEQUENCE OF Ticket OPTIONAL }
struct KdcReqBody {
  KerberosFlags kdcOptions = 0;  // iana::kdc_options
  std::optional<PrincipalName> cname;
  Realm realm;
  std::optional<PrincipalName> sname;
  std::optional<KerberosTime> from;
  KerberosTime till = 0;
  std::optional<KerberosTime> rtime;
  std::uint32_t nonce = 0;          // decoding also accepts negative nonces (taken modulo 2^32)
  std::vector<std::int32_t> etype;  // client preference order
  std::optional<HostAddresses> addresses;
  std::optional<EncryptedData> encAuthorizationData;
  std::optional<std::vector<Ticket>> additionalTickets;
  // The exact DER of req-body as received (set by decode; empty when built in code). The TGS-REQ checksum
  // covers exactly these bytes. Encoding ignores it and works from the fields; not part of operator==.
  Bytes raw;

  bool operator==(const KdcReqBody& o) const {
    return kdcOptions == o.kdcOptions && cname == o.cname && realm == o.realm && sname == o.sname &&
           from == o.from && till == o.till && rtime == o.rtime && nonce == o.nonce && etype == o.etype &&
           addresses == o.addresses && encAuthorizationData == o.encAuthorizationData &&
           additionalTickets == o.additionalTickets;
  }
};

// KDC-REQ ::= SEQUENCE { pvno [1] INTEGER (5), msg-type [2] INTEGER (10 -- AS -- | 12 -- TGS --),
//   padata [3] SEQUENCE OF PA-DATA OPTIONAL, req-body [4] KDC-REQ-BODY }   (no [0])
// pvno and msg-type are implied by the type and checked on decode.
struct KdcReq {
  std::optional<MethodData> padata;
  KdcReqBody reqBody;
  bool operator==(const KdcReq&) const = default;
};
struct AsReq : KdcReq {};   // [APPLICATION 10]
struct TgsReq : KdcReq {};  // [APPLICATION 12]; padata carries PA-TGS-REQ (an AP-REQ)

void encodeTo(der::Writer& w, const KdcReqBody& v);
void encodeTo(der::Writer& w, const AsReq& v);
void encodeTo(der::Writer& w, const TgsReq& v);
Bytes encode(const KdcReqBody& v);
Bytes encode(const AsReq& v);
Bytes encode(const TgsReq& v);

template <>
Result<KdcReqBody> decodeFrom<KdcReqBody>(der::Reader& r, std::string_view field);
template <>
Result<AsReq> decodeFrom<AsReq>(der::Reader& r, std::string_view field);
template <>
Result<TgsReq> decodeFrom<TgsReq>(der::Reader& r, std::string_view field);
template <>
Result<KdcReqBody> decode<KdcReqBody>(BytesView data);
template <>
Result<AsReq> decode<AsReq>(BytesView data);
template <>
Result<TgsReq> decode<TgsReq>(BytesView data);

}  // namespace kerbpool::core::messages
