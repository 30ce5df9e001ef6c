#pragma once

#include <optional>
#include <vector>

#include "core/messages/codec.hpp"
#include "core/messages/ticket.hpp"
#include "core/messages/types.hpp"

// KRB-CRED (RFC 4120 5.8): forwarded credentials, as carried by GSS-API delegation (RFC 4121 4.1.1.1).
namespace kerbpool::core::messages {

// KRB-CRED ::= [APPLICATION 22] SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (22),
//   tickets [2] SEQUENCE OF Ticket, enc-part [3] EncryptedData -- EncKrbCredPart, usage 14 -- }
struct KrbCred {
  std::vector<Ticket> tickets;
  EncryptedData encPart;  // GSS delegation often uses etype 0 with the plain DER of EncKrbCredPart
  bool operator==(const KrbCred&) const = default;
};

// KrbCredInfo ::= SEQUENCE { key [0] EncryptionKey, prealm [1] Realm OPTIONAL,
//   pname [2] PrincipalName OPTIONAL, flags [3] TicketFlags OPTIONAL, authtime [4] KerberosTime OPTIONAL,
//   starttime [5] KerberosTime OPTIONAL, endtime [6] KerberosTime OPTIONAL,
//   renew-till [7] KerberosTime OPTIONAL, srealm [8] Realm OPTIONAL, sname [9] PrincipalName OPTIONAL,
//   caddr [10] HostAddresses OPTIONAL }
struct KrbCredInfo {
  EncryptionKey key;
  std::optional<Realm> prealm;
  std::optional<PrincipalName> pname;
  std::optional<KerberosFlags> flags;
  std::optional<KerberosTime> authtime;
  std::optional<KerberosTime> starttime;
  std::optional<KerberosTime> endtime;
  std::optional<KerberosTime> renewTill;
  std::optional<Realm> srealm;
  std::optional<PrincipalName> sname;
  std::optional<HostAddresses> caddr;
  bool operator==(const KrbCredInfo&) const = default;
};

// EncKrbCredPart ::= [APPLICATION 29] SEQUENCE { ticket-info [0] SEQUENCE OF KrbCredInfo,
//   nonce [1] UInt32 OPTIONAL, timestamp [2] KerberosTime OPTIONAL, usec [3] Microseconds OPTIONAL,
//   s-address [4] HostAddress OPTIONAL, r-address [5] HostAddress OPTIONAL }
struct EncKrbCredPart {
  std::vector<KrbCredInfo> ticketInfo;  // one per ticket, same order
  std::optional<std::uint32_t> nonce;
  std::optional<KerberosTime> timestamp;
  std::optional<Microseconds> usec;
  std::optional<HostAddress> sAddress;
  std::optional<HostAddress> rAddress;
  bool operator==(const EncKrbCredPart&) const = default;
};

void encodeTo(der::Writer& w, const KrbCred& v);
void encodeTo(der::Writer& w, const KrbCredInfo& v);
void encodeTo(der::Writer& w, const EncKrbCredPart& v);
Bytes encode(const KrbCred& v);
Bytes encode(const EncKrbCredPart& v);
template <>
Result<KrbCred> decodeFrom<KrbCred>(der::Reader& r, std::string_view field);
template <>
Result<KrbCredInfo> decodeFrom<KrbCredInfo>(der::Reader& r, std::string_view field);
template <>
Result<EncKrbCredPart> decodeFrom<EncKrbCredPart>(der::Reader& r, std::string_view field);
template <>
Result<KrbCred> decode<KrbCred>(BytesView data);
template <>
Result<EncKrbCredPart> decode<EncKrbCredPart>(BytesView data);

}  // namespace kerbpool::core::messages
