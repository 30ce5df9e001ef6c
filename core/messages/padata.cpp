#include "core/messages/padata.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const PaEncTsEnc& v) {
  w.sequence([&](der::Writer& s) {
    wire::putTime(s, 0, v.patimestamp);
    if (v.pausec) {
      wire::putInt(s, 1, *v.pausec);
    }
  });
}

template <>
Result<PaEncTsEnc> decodeFrom<PaEncTsEnc>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  PaEncTsEnc v;
  KP_TRY(v.patimestamp, wire::readField(s, 0, "patimestamp", wire::kerberosTime));
  KP_TRY(v.pausec, wire::readOptionalField(s, 1, "pausec", wire::microseconds));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const EtypeInfo2Entry& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.etype);
    if (v.salt) {
      wire::putString(s, 1, *v.salt);
    }
    if (v.s2kparams) {
      wire::putOctets(s, 2, *v.s2kparams);
    }
  });
}

template <>
Result<EtypeInfo2Entry> decodeFrom<EtypeInfo2Entry>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  EtypeInfo2Entry v;
  KP_TRY(v.etype, wire::readField(s, 0, "etype", wire::int32));
  KP_TRY(v.salt, wire::readOptionalField(s, 1, "salt", wire::kerberosString));
  KP_TRY(v.s2kparams, wire::readOptionalField(s, 2, "s2kparams", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const EtypeInfo2& v) {
  wire::writeSequenceOfNested(w, v);
}

template <>
Result<EtypeInfo2> decodeFrom<EtypeInfo2>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<EtypeInfo2Entry>(r, field);
}

void encodeTo(der::Writer& w, const EtypeInfoEntry& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.etype);
    if (v.salt) {
      wire::putOctets(s, 1, *v.salt);
    }
  });
}

template <>
Result<EtypeInfoEntry> decodeFrom<EtypeInfoEntry>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  EtypeInfoEntry v;
  KP_TRY(v.etype, wire::readField(s, 0, "etype", wire::int32));
  KP_TRY(v.salt, wire::readOptionalField(s, 1, "salt", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const EtypeInfo& v) {
  wire::writeSequenceOfNested(w, v);
}

template <>
Result<EtypeInfo> decodeFrom<EtypeInfo>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<EtypeInfoEntry>(r, field);
}

void encodeTo(der::Writer& w, const PaPacRequest& v) {
  w.sequence([&](der::Writer& s) { wire::putBool(s, 0, v.includePac); });
}

template <>
Result<PaPacRequest> decodeFrom<PaPacRequest>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  PaPacRequest v;
  KP_TRY(v.includePac, wire::readField(s, 0, "include-pac", wire::boolean));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const PaEncTsEnc& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EtypeInfo2& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EtypeInfo& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const PaPacRequest& v) {
  return detail::encodeWhole(v);
}

template <>
Result<PaEncTsEnc> decode<PaEncTsEnc>(BytesView data) {
  return detail::decodeWhole<PaEncTsEnc>(data, "PA-ENC-TS-ENC");
}
template <>
Result<EtypeInfo2> decode<EtypeInfo2>(BytesView data) {
  return detail::decodeWhole<EtypeInfo2>(data, "ETYPE-INFO2");
}
template <>
Result<EtypeInfo> decode<EtypeInfo>(BytesView data) {
  return detail::decodeWhole<EtypeInfo>(data, "ETYPE-INFO");
}
template <>
Result<PaPacRequest> decode<PaPacRequest>(BytesView data) {
  return detail::decodeWhole<PaPacRequest>(data, "PA-PAC-REQUEST");
}

}  // namespace kerbpool::core::messages
