#pragma once

#include <optional>

#include "core/messages/codec.hpp"
#include "core/messages/types.hpp"

// Authenticator (RFC 4120 5.5.1).
namespace kerbpool::core::messages {

// Authenticator ::= [APPLICATION 2] SEQUENCE { authenticator-vno [0] INTEGER (5), crealm [1] Realm,
//   cname [2] PrincipalName, cksum [3] Checksum OPTIONAL, cusec [4] Microseconds, ctime [5] KerberosTime,
//   subkey [6] EncryptionKey OPTIONAL, seq-number [7] UInt32 OPTIONAL,
//   authorization-data [8] AuthorizationData OPTIONAL }
// For GSS-API the cksum is type 0x8003 whose "checksum" octets are the RFC 4121 4.1.1 structure.
struct Authenticator {
  Realm crealm;
  PrincipalName cname;
  std::optional<Checksum> cksum;
  Microseconds cusec = 0;
  KerberosTime ctime = 0;
  std::optional<EncryptionKey> subkey;
  std::optional<std::uint32_t> seqNumber;  // decoding also accepts negative values (modulo 2^32)
  std::optional<AuthorizationData> authorizationData;
  bool operator==(const Authenticator&) const = default;
};

void encodeTo(der::Writer& w, const Authenticator& v);
Bytes encode(const Authenticator& v);
template <>
Result<Authenticator> decodeFrom<Authenticator>(der::Reader& r, std::string_view field);
template <>
Result<Authenticator> decode<Authenticator>(BytesView data);

}  // namespace kerbpool::core::messages
