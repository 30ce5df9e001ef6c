#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/bytes.hpp"
#include "core/common/result.hpp"
#include "core/iana/ad_type.hpp"
#include "core/iana/name_type.hpp"
#include "core/iana/pa_type.hpp"
#include "core/messages/codec.hpp"

// Shared RFC 4120 building blocks (section 5.2), after gokrb5's types/ package.
namespace kerbpool::core::messages {

// KerberosTime (5.2.3): Unix seconds, always encoded as GeneralizedTime "YYYYMMDDHHMMSSZ". Sub-second
// precision travels in a separate Microseconds field (5.2.4, 0..999999).
using KerberosTime = std::int64_t;
using Microseconds = std::int32_t;
// KerberosFlags (5.2.8): bit n is `0x80000000 >> n` (see core/iana/*_flags.hpp, *_options.hpp). Decoding
// accepts any bit length (missing bits are 0, bits beyond 32 are ignored); encoding always writes 32 bits.
using KerberosFlags = std::uint32_t;
using Realm = std::string;  // KerberosString (GeneralString)

// PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
struct PrincipalName {
  iana::NameType nameType = iana::NameType::KRB_NT_UNKNOWN;
  std::vector<std::string> nameString;
  bool operator==(const PrincipalName&) const = default;
};
// Components joined with '/', no realm and no escaping: for logs and lookups ("HTTP/pool.contoso.test").
std::string displayName(const PrincipalName& name);

// EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING }
// kvno: decoding accepts any INTEGER in [-2^31, 2^32) modulo 2^32; encoding writes the value as a signed
// 32-bit INTEGER, as MIT does (kvno 0xFF000000 -> 02 04 ff 00 00 00, 0xFFFFFFFF -> 02 01 ff).
struct EncryptedData {
  std::int32_t etype = 0;
  std::optional<std::uint32_t> kvno;
  Bytes cipher;
  bool operator==(const EncryptedData&) const = default;
};

// EncryptionKey ::= SEQUENCE { keytype [0] Int32, keyvalue [1] OCTET STRING }
struct EncryptionKey {
  std::int32_t keytype = 0;
  Bytes keyvalue;
  bool operator==(const EncryptionKey&) const = default;
};

// Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING }
struct Checksum {
  std::int32_t cksumtype = 0;
  Bytes checksum;
  bool operator==(const Checksum&) const = default;
};

// HostAddress ::= SEQUENCE { addr-type [0] Int32, address [1] OCTET STRING }
struct HostAddress {
  std::int32_t addrType = 0;
  Bytes address;
  bool operator==(const HostAddress&) const = default;
};
using HostAddresses = std::vector<HostAddress>;

// PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING } (no [0]!)
struct PaData {
  iana::PaType padataType = iana::PaType::PA_TGS_REQ;
  Bytes padataValue;
  bool operator==(const PaData&) const = default;
};
// METHOD-DATA ::= SEQUENCE OF PA-DATA (also the padata of KDC-REQ/KDC-REP)
using MethodData = std::vector<PaData>;
// The first PA-DATA of that type, or nullptr.
const PaData* findPaData(const MethodData& padata, iana::PaType type);

// LastReq ::= SEQUENCE OF SEQUENCE { lr-type [0] Int32, lr-value [1] KerberosTime }
struct LastReqEntry {
  std::int32_t lrType = 0;
  KerberosTime lrValue = 0;
  bool operator==(const LastReqEntry&) const = default;
};
using LastReq = std::vector<LastReqEntry>;

// TransitedEncoding ::= SEQUENCE { tr-type [0] Int32, contents [1] OCTET STRING }
struct TransitedEncoding {
  std::int32_t trType = 0;
  Bytes contents;
  bool operator==(const TransitedEncoding&) const = default;
};

// AuthorizationData ::= SEQUENCE OF SEQUENCE { ad-type [0] Int32, ad-data [1] OCTET STRING }
struct AuthorizationDataEntry {
  iana::AdType adType = iana::AdType::AD_IF_RELEVANT;
  Bytes adData;
  bool operator==(const AuthorizationDataEntry&) const = default;
};
using AuthorizationData = std::vector<AuthorizationDataEntry>;

void encodeTo(der::Writer& w, const PrincipalName& v);
void encodeTo(der::Writer& w, const EncryptedData& v);
void encodeTo(der::Writer& w, const EncryptionKey& v);
void encodeTo(der::Writer& w, const Checksum& v);
void encodeTo(der::Writer& w, const HostAddress& v);
void encodeTo(der::Writer& w, const HostAddresses& v);
void encodeTo(der::Writer& w, const PaData& v);
void encodeTo(der::Writer& w, const MethodData& v);
void encodeTo(der::Writer& w, const LastReqEntry& v);
void encodeTo(der::Writer& w, const LastReq& v);
void encodeTo(der::Writer& w, const TransitedEncoding& v);
void encodeTo(der::Writer& w, const AuthorizationDataEntry& v);
void encodeTo(der::Writer& w, const AuthorizationData& v);

Bytes encode(const PrincipalName& v);
Bytes encode(const EncryptedData& v);
Bytes encode(const EncryptionKey& v);
Bytes encode(const Checksum& v);
Bytes encode(const HostAddresses& v);
Bytes encode(const PaData& v);
Bytes encode(const MethodData& v);
Bytes encode(const AuthorizationData& v);

template <>
Result<PrincipalName> decodeFrom<PrincipalName>(der::Reader& r, std::string_view field);
template <>
Result<EncryptedData> decodeFrom<EncryptedData>(der::Reader& r, std::string_view field);
template <>
Result<EncryptionKey> decodeFrom<EncryptionKey>(der::Reader& r, std::string_view field);
template <>
Result<Checksum> decodeFrom<Checksum>(der::Reader& r, std::string_view field);
template <>
Result<HostAddress> decodeFrom<HostAddress>(der::Reader& r, std::string_view field);
template <>
Result<HostAddresses> decodeFrom<HostAddresses>(der::Reader& r, std::string_view field);
template <>
Result<PaData> decodeFrom<PaData>(der::Reader& r, std::string_view field);
template <>
Result<MethodData> decodeFrom<MethodData>(der::Reader& r, std::string_view field);
template <>
Result<LastReqEntry> decodeFrom<LastReqEntry>(der::Reader& r, std::string_view field);
template <>
Result<LastReq> decodeFrom<LastReq>(der::Reader& r, std::string_view field);
template <>
Result<TransitedEncoding> decodeFrom<TransitedEncoding>(der::Reader& r, std::string_view field);
template <>
Result<AuthorizationDataEntry> decodeFrom<AuthorizationDataEntry>(der::Reader& r, std::string_view field);
template <>
Result<AuthorizationData> decodeFrom<AuthorizationData>(der::Reader& r, std::string_view field);

template <>
Result<PrincipalName> decode<PrincipalName>(BytesView data);
template <>
Result<EncryptedData> decode<EncryptedData>(BytesView data);
template <>
Result<EncryptionKey> decode<EncryptionKey>(BytesView data);
template <>
Result<Checksum> decode<Checksum>(BytesView data);
template <>
Result<HostAddresses> decode<HostAddresses>(BytesView data);
template <>
Result<PaData> decode<PaData>(BytesView data);
template <>
Result<MethodData> decode<MethodData>(BytesView data);
template <>
Result<AuthorizationData> decode<AuthorizationData>(BytesView data);

}  // namespace kerbpool::core::messages
