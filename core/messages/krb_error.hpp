#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/iana/error_code.hpp"
#include "core/messages/codec.hpp"
#include "core/messages/types.hpp"

// KRB-ERROR (RFC 4120 5.9.1) and the shapes its e-data takes (METHOD-DATA, TYPED-DATA).
namespace kerbpool::core::messages {

// KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (30),
//   ctime [2] KerberosTime OPTIONAL, cusec [3] Microseconds OPTIONAL, stime [4] KerberosTime,
//   susec [5] Microseconds, error-code [6] Int32, crealm [7] Realm OPTIONAL,
//   cname [8] PrincipalName OPTIONAL, realm [9] Realm -- service realm --, sname [10] PrincipalName,
//   e-text [11] KerberosString OPTIONAL, e-data [12] OCTET STRING OPTIONAL }
struct KrbError {
  std::optional<KerberosTime> ctime;
  std::optional<Microseconds> cusec;
  KerberosTime stime = 0;  // server time: how clients correct their skew
  Microseconds susec = 0;
  iana::ErrorCode errorCode = iana::ErrorCode::KRB_ERR_GENERIC;
  std::optional<Realm> crealm;
  std::optional<PrincipalName> cname;
  Realm realm;
  PrincipalName sname;
  std::optional<std::string> eText;
  std::optional<Bytes> eData;  // METHOD-DATA for KDC_ERR_PREAUTH_REQUIRED, else often TYPED-DATA
  bool operator==(const KrbError&) const = default;
};

// TYPED-DATA ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { data-type [0] Int32, data-value [1] OCTET STRING
//   OPTIONAL }
struct TypedDataEntry {
  std::int32_t dataType = 0;
  std::optional<Bytes> dataValue;
  bool operator==(const TypedDataEntry&) const = default;
};
using TypedData = std::vector<TypedDataEntry>;

// e-data helpers: store a METHOD-DATA (e.g. PA-ETYPE-INFO2 + empty PA-ENC-TIMESTAMP) in e-data, and read
// it back (decoding error no_e_data when e-data is absent; paths are rooted at "KRB-ERROR.e-data").
void setMethodData(KrbError& error, const MethodData& methodData);
Result<MethodData> methodData(const KrbError& error);

void encodeTo(der::Writer& w, const KrbError& v);
void encodeTo(der::Writer& w, const TypedDataEntry& v);
void encodeTo(der::Writer& w, const TypedData& v);
Bytes encode(const KrbError& v);
Bytes encode(const TypedData& v);
template <>
Result<KrbError> decodeFrom<KrbError>(der::Reader& r, std::string_view field);
template <>
Result<TypedDataEntry> decodeFrom<TypedDataEntry>(der::Reader& r, std::string_view field);
template <>
Result<TypedData> decodeFrom<TypedData>(der::Reader& r, std::string_view field);
template <>
Result<KrbError> decode<KrbError>(BytesView data);
template <>
Result<TypedData> decode<TypedData>(BytesView data);

}  // namespace kerbpool::core::messages
