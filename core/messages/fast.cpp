#include "core/messages/fast.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const KrbFastArmor& v) {
  w.sequence([&](der::Writer& s) {
    wire::putInt(s, 0, v.armorType);
    wire::putOctets(s, 1, v.armorValue);
  });
}

template <>
Result<KrbFastArmor> decodeFrom<KrbFastArmor>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  KrbFastArmor v;
  KP_TRY(v.armorType, wire::readField(s, 0, "armor-type", wire::int32));
  KP_TRY(v.armorValue, wire::readField(s, 1, "armor-value", wire::octets));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const PaFxFastRequest& v) {
  w.context(0, [&](der::Writer& c) {
    c.sequence([&](der::Writer& s) {
      if (v.armor) {
        wire::putNested(s, 0, *v.armor);
      }
      wire::putNested(s, 1, v.reqChecksum);
      wire::putNested(s, 2, v.encFastReq);
    });
  });
}

template <>
Result<PaFxFastRequest> decodeFrom<PaFxFastRequest>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader choice, r.enterContext(0, field.empty() ? std::string_view("armored-data") : field));
  KP_TRY(der::Reader s, choice.enterSequence(""));
  PaFxFastRequest v;
  KP_TRY(v.armor, wire::readOptionalField(s, 0, "armor", wire::nested<KrbFastArmor>));
  KP_TRY(v.reqChecksum, wire::readField(s, 1, "req-checksum", wire::nested<Checksum>));
  KP_TRY(v.encFastReq, wire::readField(s, 2, "enc-fast-req", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  KP_CHECK(choice.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const KrbFastReq& v) {
  w.sequence([&](der::Writer& s) {
    wire::putFlags(s, 0, v.fastOptions);
    wire::putNested(s, 1, v.padata);
    wire::putNested(s, 2, v.reqBody);
  });
}

template <>
Result<KrbFastReq> decodeFrom<KrbFastReq>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  KrbFastReq v;
  KP_TRY(v.fastOptions, wire::readField(s, 0, "fast-options", wire::kerberosFlags));
  KP_TRY(v.padata, wire::readField(s, 1, "padata", wire::nested<MethodData>));
  KP_TRY(v.reqBody, wire::readField(s, 2, "req-body", wire::nested<KdcReqBody>));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const PaFxFastReply& v) {
  w.context(
      0, [&](der::Writer& c) { c.sequence([&](der::Writer& s) { wire::putNested(s, 0, v.encFastRep); }); });
}

template <>
Result<PaFxFastReply> decodeFrom<PaFxFastReply>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader choice, r.enterContext(0, field.empty() ? std::string_view("armored-data") : field));
  KP_TRY(der::Reader s, choice.enterSequence(""));
  PaFxFastReply v;
  KP_TRY(v.encFastRep, wire::readField(s, 0, "enc-fast-rep", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  KP_CHECK(choice.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const KrbFastFinished& v) {
  w.sequence([&](der::Writer& s) {
    wire::putTime(s, 0, v.timestamp);
    wire::putInt(s, 1, v.usec);
    wire::putString(s, 2, v.crealm);
    wire::putNested(s, 3, v.cname);
    wire::putNested(s, 4, v.ticketChecksum);
  });
}

template <>
Result<KrbFastFinished> decodeFrom<KrbFastFinished>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  KrbFastFinished v;
  KP_TRY(v.timestamp, wire::readField(s, 0, "timestamp", wire::kerberosTime));
  KP_TRY(v.usec, wire::readField(s, 1, "usec", wire::microseconds));
  KP_TRY(v.crealm, wire::readField(s, 2, "crealm", wire::kerberosString));
  KP_TRY(v.cname, wire::readField(s, 3, "cname", wire::nested<PrincipalName>));
  KP_TRY(v.ticketChecksum, wire::readField(s, 4, "ticket-checksum", wire::nested<Checksum>));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const KrbFastResponse& v) {
  w.sequence([&](der::Writer& s) {
    wire::putNested(s, 0, v.padata);
    if (v.strengthenKey) {
      wire::putNested(s, 1, *v.strengthenKey);
    }
    if (v.finished) {
      wire::putNested(s, 2, *v.finished);
    }
    wire::putInt(s, 3, v.nonce);
  });
}

template <>
Result<KrbFastResponse> decodeFrom<KrbFastResponse>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  KrbFastResponse v;
  KP_TRY(v.padata, wire::readField(s, 0, "padata", wire::nested<MethodData>));
  KP_TRY(v.strengthenKey, wire::readOptionalField(s, 1, "strengthen-key", wire::nested<EncryptionKey>));
  KP_TRY(v.finished, wire::readOptionalField(s, 2, "finished", wire::nested<KrbFastFinished>));
  KP_TRY(v.nonce, wire::readField(s, 3, "nonce", wire::lenientUInt32));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const PaFxFastRequest& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const KrbFastReq& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const PaFxFastReply& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const KrbFastResponse& v) {
  return detail::encodeWhole(v);
}

template <>
Result<PaFxFastRequest> decode<PaFxFastRequest>(BytesView data) {
  return detail::decodeWhole<PaFxFastRequest>(data, "PA-FX-FAST-REQUEST");
}
template <>
Result<KrbFastReq> decode<KrbFastReq>(BytesView data) {
  return detail::decodeWhole<KrbFastReq>(data, "KrbFastReq");
}
template <>
Result<PaFxFastReply> decode<PaFxFastReply>(BytesView data) {
  return detail::decodeWhole<PaFxFastReply>(data, "PA-FX-FAST-REPLY");
}
template <>
Result<KrbFastResponse> decode<KrbFastResponse>(BytesView data) {
  return detail::decodeWhole<KrbFastResponse>(data, "KrbFastResponse");
}

}  // namespace kerbpool::core::messages
