#pragma once

#include <optional>

#include "core/messages/codec.hpp"
#include "core/messages/types.hpp"

// AP-REP and EncAPRepPart (RFC 4120 5.5.2).
namespace kerbpool::core::messages {

// AP-REP ::= [APPLICATION 15] SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (15),
//   enc-part [2] EncryptedData -- EncAPRepPart -- }
struct ApRep {
  EncryptedData encPart;  // usage 12, session key
  bool operator==(const ApRep&) const = default;
};

// EncAPRepPart ::= [APPLICATION 27] SEQUENCE { ctime [0] KerberosTime, cusec [1] Microseconds,
//   subkey [2] EncryptionKey OPTIONAL, seq-number [3] UInt32 OPTIONAL }
// ctime/cusec repeat the authenticator's values.
struct EncApRepPart {
  KerberosTime ctime = 0;
  Microseconds cusec = 0;
  std::optional<EncryptionKey> subkey;
  std::optional<std::uint32_t> seqNumber;  // decoding also accepts negative values (modulo 2^32)
  bool operator==(const EncApRepPart&) const = default;
};

void encodeTo(der::Writer& w, const ApRep& v);
void encodeTo(der::Writer& w, const EncApRepPart& v);
Bytes encode(const ApRep& v);
Bytes encode(const EncApRepPart& v);
template <>
Result<ApRep> decodeFrom<ApRep>(der::Reader& r, std::string_view field);
template <>
Result<EncApRepPart> decodeFrom<EncApRepPart>(der::Reader& r, std::string_view field);
template <>
Result<ApRep> decode<ApRep>(BytesView data);
template <>
Result<EncApRepPart> decode<EncApRepPart>(BytesView data);

}  // namespace kerbpool::core::messages
