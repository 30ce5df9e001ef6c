#include "core/messages/krb_error.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const KrbError& v) {
  w.application(30, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putInt(s, 1, static_cast<std::int32_t>(iana::MsgType::KRB_ERROR));
      if (v.ctime) {
        wire::putTime(s, 2, *v.ctime);
      }
      if (v.cusec) {
        wire::putInt(s, 3, *v.cusec);
      }
      wire::putTime(s, 4, v.stime);
      wire::putInt(s, 5, v.susec);
      wire::putInt(s, 6, static_cast<std::int32_t>(v.errorCode));
      if (v.crealm) {
        wire::putString(s, 7, *v.crealm);
      }
      if (v.cname) {
        wire::putNested(s, 8, *v.cname);
      }
      wire::putString(s, 9, v.realm);
      wire::putNested(s, 10, v.sname);
      if (v.eText) {
        wire::putString(s, 11, *v.eText);
      }
      if (v.eData) {
        wire::putOctets(s, 12, *v.eData);
      }
    });
  });
}

template <>
Result<KrbError> decodeFrom<KrbError>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 30, field, "KRB-ERROR"));
  KP_CHECK(wire::expectPvno(s, 0));
  KP_CHECK(wire::expectMsgType(s, 1, iana::MsgType::KRB_ERROR));
  KrbError v;
  KP_TRY(v.ctime, wire::readOptionalField(s, 2, "ctime", wire::kerberosTime));
  KP_TRY(v.cusec, wire::readOptionalField(s, 3, "cusec", wire::microseconds));
  KP_TRY(v.stime, wire::readField(s, 4, "stime", wire::kerberosTime));
  KP_TRY(v.susec, wire::readField(s, 5, "susec", wire::microseconds));
  KP_TRY(v.errorCode, wire::readField(s, 6, "error-code", wire::enumInt32<iana::ErrorCode>));
  KP_TRY(v.crealm, wire::readOptionalField(s, 7, "crealm", wire::kerberosString));
  KP_TRY(v.cname, wire::readOptionalField(s, 8, "cname", wire::nested<PrincipalName>));
  KP_TRY(v.realm, wire::readField(s, 9, "realm", wire::kerberosString));
  KP_TRY(v.sname, wire::readField(s, 10, "sname", wire::nested<PrincipalName>));
  KP_TRY(v.eText, wire::readOptionalField(s, 11, "e-text", wire::kerberosString));
  KP_TRY(v.eData, wire::readOptionalField(s, 12, "e-data", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const TypedDataEntry& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.dataType);
    if (v.dataValue) {
      wire::putOctets(s, 1, *v.dataValue);
    }
  });
}

void encodeTo(der::Writer& w, const TypedData& v) {
  wire::writeSequenceOfNested(w, v);
}

template <>
Result<TypedDataEntry> decodeFrom<TypedDataEntry>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  TypedDataEntry v;
  KP_TRY(v.dataType, wire::readField(s, 0, "data-type", wire::int32));
  KP_TRY(v.dataValue, wire::readOptionalField(s, 1, "data-value", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

template <>
Result<TypedData> decodeFrom<TypedData>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<TypedDataEntry>(r, field);
}

void setMethodData(KrbError& error, const MethodData& methodData) {
  error.eData = encode(methodData);
}

Result<MethodData> methodData(const KrbError& error) {
  if (!error.eData) {
    return makeError(ErrorCategory::Decoding, "no_e_data", "KRB-ERROR.e-data is absent");
  }
  return detail::decodeWhole<MethodData>(*error.eData, "KRB-ERROR.e-data");
}

Bytes encode(const KrbError& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const TypedData& v) {
  return detail::encodeWhole(v);
}

template <>
Result<KrbError> decode<KrbError>(BytesView data) {
  return detail::decodeWhole<KrbError>(data, "KRB-ERROR");
}
template <>
Result<TypedData> decode<TypedData>(BytesView data) {
  return detail::decodeWhole<TypedData>(data, "TYPED-DATA");
}

}  // namespace kerbpool::core::messages
