#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/messages/codec.hpp"
#include "core/messages/types.hpp"

// The padata-value structures kerbpool uses (RFC 4120 5.2.7; PA-PAC-REQUEST from MS-KILE 2.2.3).
namespace kerbpool::core::messages {

// PA-ENC-TS-ENC ::= SEQUENCE { patimestamp [0] KerberosTime, pausec [1] Microseconds OPTIONAL }
// PA-ENC-TIMESTAMP's value is DER(EncryptedData{etype, no kvno, cipher}) of this, key usage 1.
struct PaEncTsEnc {
  KerberosTime patimestamp = 0;
  std::optional<Microseconds> pausec;
  bool operator==(const PaEncTsEnc&) const = default;
};

// ETYPE-INFO2-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] KerberosString OPTIONAL,
//   s2kparams [2] OCTET STRING OPTIONAL };  ETYPE-INFO2 ::= SEQUENCE SIZE (1..MAX) OF ETYPE-INFO2-ENTRY
struct EtypeInfo2Entry {
  std::int32_t etype = 0;
  std::optional<std::string> salt;  // KerberosString here (OCTET STRING in the old ETYPE-INFO)
  std::optional<Bytes> s2kparams;   // AES: 4-octet big-endian iteration count
  bool operator==(const EtypeInfo2Entry&) const = default;
};
using EtypeInfo2 = std::vector<EtypeInfo2Entry>;

// ETYPE-INFO-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] OCTET STRING OPTIONAL } (legacy, read-mostly)
struct EtypeInfoEntry {
  std::int32_t etype = 0;
  std::optional<Bytes> salt;
  bool operator==(const EtypeInfoEntry&) const = default;
};
using EtypeInfo = std::vector<EtypeInfoEntry>;

// PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN }
struct PaPacRequest {
  bool includePac = true;
  bool operator==(const PaPacRequest&) const = default;
};

void encodeTo(der::Writer& w, const PaEncTsEnc& v);
void encodeTo(der::Writer& w, const EtypeInfo2Entry& v);
void encodeTo(der::Writer& w, const EtypeInfo2& v);
void encodeTo(der::Writer& w, const EtypeInfoEntry& v);
void encodeTo(der::Writer& w, const EtypeInfo& v);
void encodeTo(der::Writer& w, const PaPacRequest& v);
Bytes encode(const PaEncTsEnc& v);
Bytes encode(const EtypeInfo2& v);
Bytes encode(const EtypeInfo& v);
Bytes encode(const PaPacRequest& v);

template <>
Result<PaEncTsEnc> decodeFrom<PaEncTsEnc>(der::Reader& r, std::string_view field);
template <>
Result<EtypeInfo2Entry> decodeFrom<EtypeInfo2Entry>(der::Reader& r, std::string_view field);
template <>
Result<EtypeInfo2> decodeFrom<EtypeInfo2>(der::Reader& r, std::string_view field);
template <>
Result<EtypeInfoEntry> decodeFrom<EtypeInfoEntry>(der::Reader& r, std::string_view field);
template <>
Result<EtypeInfo> decodeFrom<EtypeInfo>(der::Reader& r, std::string_view field);
template <>
Result<PaPacRequest> decodeFrom<PaPacRequest>(der::Reader& r, std::string_view field);
template <>
Result<PaEncTsEnc> decode<PaEncTsEnc>(BytesView data);
template <>
Result<EtypeInfo2> decode<EtypeInfo2>(BytesView data);
template <>
Result<EtypeInfo> decode<EtypeInfo>(BytesView data);
template <>
Result<PaPacRequest> decode<PaPacRequest>(BytesView data);

}  // namespace kerbpool::core::messages
