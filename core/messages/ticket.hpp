#pragma once

#include <optional>

#include "core/messages/codec.hpp"
#include "core/messages/types.hpp"

// Ticket and EncTicketPart (RFC 4120 5.3).
namespace kerbpool::core::messages {

// Ticket ::= [APPLICATION 1] SEQUENCE {
//   tkt-vno [0] INTEGER (5), realm [1] Realm, sname [2] PrincipalName, enc-part [3] EncryptedData }
struct Ticket {
  Realm realm;
  PrincipalName sname;
  EncryptedData encPart;  // EncTicketPart, key usage 2, service key
  // The exact DER of this ticket as it was received (set by decode, empty for tickets built in code).
  // Encoding always works from the fields above and ignores it; it is not part of operator==.
  Bytes raw;

  bool operator==(const Ticket& o) const {
    return realm == o.realm && sname == o.sname && encPart == o.encPart;
  }
};

// EncTicketPart ::= [APPLICATION 3] SEQUENCE {
//   flags [0] TicketFlags, key [1] EncryptionKey, crealm [2] Realm, cname [3] PrincipalName,
//   transited [4] TransitedEncoding, authtime [5] KerberosTime, starttime [6] KerberosTime OPTIONAL,
//   endtime [7] KerberosTime, renew-till [8] KerberosTime OPTIONAL, caddr [9] HostAddresses OPTIONAL,
//   authorization-data [10] AuthorizationData OPTIONAL }
struct EncTicketPart {
  KerberosFlags flags = 0;  // iana::ticket_flags
  EncryptionKey key;
  Realm crealm;
  PrincipalName cname;
  TransitedEncoding transited;
  KerberosTime authtime = 0;
  std::optional<KerberosTime> starttime;
  KerberosTime endtime = 0;
  std::optional<KerberosTime> renewTill;
  std::optional<HostAddresses> caddr;
  std::optional<AuthorizationData> authorizationData;  // group memberships: see group_authdata.hpp
  bool operator==(const EncTicketPart&) const = default;
};

void encodeTo(der::Writer& w, const Ticket& v);
void encodeTo(der::Writer& w, const std::vector<Ticket>& v);
void encodeTo(der::Writer& w, const EncTicketPart& v);
Bytes encode(const Ticket& v);
Bytes encode(const EncTicketPart& v);

template <>
Result<Ticket> decodeFrom<Ticket>(der::Reader& r, std::string_view field);
template <>
Result<std::vector<Ticket>> decodeFrom<std::vector<Ticket>>(der::Reader& r, std::string_view field);
template <>
Result<EncTicketPart> decodeFrom<EncTicketPart>(der::Reader& r, std::string_view field);
template <>
Result<Ticket> decode<Ticket>(BytesView data);
template <>
Result<EncTicketPart> decode<EncTicketPart>(BytesView data);

}  // namespace kerbpool::core::messages
