#include "core/messages/types.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

std::string displayName(const PrincipalName& name) {
  std::string out;
  for (const std::string& c : name.nameString) {
    if (!out.empty()) {
      out += '/';
    }
    out += c;
  }
  return out;
}

const PaData* findPaData(const MethodData& padata, iana::PaType type) {
  for (const PaData& p : padata) {
    if (p.padataType == type) {
      return &p;
    }
  }
  return nullptr;
}

// --- PrincipalName ---------------------------------------------------------------------------------

void encodeTo(der::Writer& w, const PrincipalName& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, static_cast<std::int32_t>(v.nameType));
    wire::putStrings(s, 1, v.nameString);
  });
}

template <>
Result<PrincipalName> decodeFrom<PrincipalName>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  PrincipalName v;
  KP_TRY(v.nameType, wire::readField(s, 0, "name-type", wire::enumInt32<iana::NameType>));
  KP_TRY(v.nameString, wire::readField(s, 1, "name-string", wire::sequenceOfStrings));
  KP_CHECK(s.expectEnd());
  return v;
}

// --- EncryptedData ---------------------------------------------------------------------------------

void encodeTo(der::Writer& w, const EncryptedData& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.etype);
    if (v.kvno) {
      wire::putInt(s, 1, static_cast<std::int32_t>(*v.kvno));  // MIT: signed 32-bit on the wire
    }
    wire::putOctets(s, 2, v.cipher);
  });
}

template <>
Result<EncryptedData> decodeFrom<EncryptedData>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  EncryptedData v;
  KP_TRY(v.etype, wire::readField(s, 0, "etype", wire::int32));
  KP_TRY(v.kvno, wire::readOptionalField(s, 1, "kvno", wire::lenientUInt32));
  KP_TRY(v.cipher, wire::readField(s, 2, "cipher", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

// --- EncryptionKey, Checksum, HostAddress, TransitedEncoding (two-field SEQUENCEs) ---------------------

void encodeTo(der::Writer& w, const EncryptionKey& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.keytype);
    wire::putOctets(s, 1, v.keyvalue);
  });
}

template <>
Result<EncryptionKey> decodeFrom<EncryptionKey>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  EncryptionKey v;
  KP_TRY(v.keytype, wire::readField(s, 0, "keytype", wire::int32));
  KP_TRY(v.keyvalue, wire::readField(s, 1, "keyvalue", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const Checksum& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.cksumtype);
    wire::putOctets(s, 1, v.checksum);
  });
}

template <>
Result<Checksum> decodeFrom<Checksum>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  Checksum v;
  KP_TRY(v.cksumtype, wire::readField(s, 0, "cksumtype", wire::int32));
  KP_TRY(v.checksum, wire::readField(s, 1, "checksum", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const HostAddress& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.addrType);
    wire::putOctets(s, 1, v.address);
  });
}

template <>
Result<HostAddress> decodeFrom<HostAddress>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  HostAddress v;
  KP_TRY(v.addrType, wire::readField(s, 0, "addr-type", wire::int32));
  KP_TRY(v.address, wire::readField(s, 1, "address", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const TransitedEncoding& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.trType);
    wire::putOctets(s, 1, v.contents);
  });
}

template <>
Result<TransitedEncoding> decodeFrom<TransitedEncoding>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  TransitedEncoding v;
  KP_TRY(v.trType, wire::readField(s, 0, "tr-type", wire::int32));
  KP_TRY(v.contents, wire::readField(s, 1, "contents", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

// --- PA-DATA -----------------------------------------------------------------------------------------

void encodeTo(der::Writer& w, const PaData& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 1, static_cast<std::int32_t>(v.padataType));
    wire::putOctets(s, 2, v.padataValue);
  });
}

template <>
Result<PaData> decodeFrom<PaData>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  PaData v;
  KP_TRY(v.padataType, wire::readField(s, 1, "padata-type", wire::enumInt32<iana::PaType>));
  KP_TRY(v.padataValue, wire::readField(s, 2, "padata-value", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

// --- LastReq, AuthorizationData entries ----------------------------------------------------------------

void encodeTo(der::Writer& w, const LastReqEntry& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.lrType);
    wire::putTime(s, 1, v.lrValue);
  });
}

template <>
Result<LastReqEntry> decodeFrom<LastReqEntry>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  LastReqEntry v;
  KP_TRY(v.lrType, wire::readField(s, 0, "lr-type", wire::int32));
  KP_TRY(v.lrValue, wire::readField(s, 1, "lr-value", wire::kerberosTime));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const AuthorizationDataEntry& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, static_cast<std::int32_t>(v.adType));
    wire::putOctets(s, 1, v.adData);
  });
}

template <>
Result<AuthorizationDataEntry> decodeFrom<AuthorizationDataEntry>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  AuthorizationDataEntry v;
  KP_TRY(v.adType, wire::readField(s, 0, "ad-type", wire::enumInt32<iana::AdType>));
  KP_TRY(v.adData, wire::readField(s, 1, "ad-data", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

// --- SEQUENCE OF ---------------------------------------------------------------------------------------

void encodeTo(der::Writer& w, const HostAddresses& v) {
  wire::writeSequenceOfNested(w, v);
}
void encodeTo(der::Writer& w, const MethodData& v) {
  wire::writeSequenceOfNested(w, v);
}
void encodeTo(der::Writer& w, const LastReq& v) {
  wire::writeSequenceOfNested(w, v);
}
void encodeTo(der::Writer& w, const AuthorizationData& v) {
  wire::writeSequenceOfNested(w, v);
}

template <>
Result<HostAddresses> decodeFrom<HostAddresses>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<HostAddress>(r, field);
}
template <>
Result<MethodData> decodeFrom<MethodData>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<PaData>(r, field);
}
template <>
Result<LastReq> decodeFrom<LastReq>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<LastReqEntry>(r, field);
}
template <>
Result<AuthorizationData> decodeFrom<AuthorizationData>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<AuthorizationDataEntry>(r, field);
}

// --- top level -----------------------------------------------------------------------------------------

Bytes encode(const PrincipalName& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EncryptedData& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EncryptionKey& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const Checksum& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const HostAddresses& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const PaData& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const MethodData& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const AuthorizationData& v) {
  return detail::encodeWhole(v);
}

template <>
Result<PrincipalName> decode<PrincipalName>(BytesView data) {
  return detail::decodeWhole<PrincipalName>(data, "PrincipalName");
}
template <>
Result<EncryptedData> decode<EncryptedData>(BytesView data) {
  return detail::decodeWhole<EncryptedData>(data, "EncryptedData");
}
template <>
Result<EncryptionKey> decode<EncryptionKey>(BytesView data) {
  return detail::decodeWhole<EncryptionKey>(data, "EncryptionKey");
}
template <>
Result<Checksum> decode<Checksum>(BytesView data) {
  return detail::decodeWhole<Checksum>(data, "Checksum");
}
template <>
Result<HostAddresses> decode<HostAddresses>(BytesView data) {
  return detail::decodeWhole<HostAddresses>(data, "HostAddresses");
}
template <>
Result<PaData> decode<PaData>(BytesView data) {
  return detail::decodeWhole<PaData>(data, "PA-DATA");
}
template <>
Result<MethodData> decode<MethodData>(BytesView data) {
  return detail::decodeWhole<MethodData>(data, "METHOD-DATA");
}
template <>
Result<AuthorizationData> decode<AuthorizationData>(BytesView data) {
  return detail::decodeWhole<AuthorizationData>(data, "AuthorizationData");
}

}  // namespace kerbpool::core::messages
