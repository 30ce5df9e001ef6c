#include "core/messages/ap_rep.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const ApRep& v) {
  w.application(15, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putInt(s, 1, static_cast<std::int32_t>(iana::MsgType::KRB_AP_REP));
      wire::putNested(s, 2, v.encPart);
    });
  });
}

template <>
Result<ApRep> decodeFrom<ApRep>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 15, field, "AP-REP"));
  KP_CHECK(wire::expectPvno(s, 0));
  KP_CHECK(wire::expectMsgType(s, 1, iana::MsgType::KRB_AP_REP));
  ApRep v;
  KP_TRY(v.encPart, wire::readField(s, 2, "enc-part", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const EncApRepPart& v) {
  w.application(27, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putTime(s, 0, v.ctime);
      wire::putInt(s, 1, v.cusec);
      if (v.subkey) {
        wire::putNested(s, 2, *v.subkey);
      }
      if (v.seqNumber) {
        wire::putInt(s, 3, *v.seqNumber);
      }
    });
  });
}

template <>
Result<EncApRepPart> decodeFrom<EncApRepPart>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 27, field, "EncAPRepPart"));
  EncApRepPart v;
  KP_TRY(v.ctime, wire::readField(s, 0, "ctime", wire::kerberosTime));
  KP_TRY(v.cusec, wire::readField(s, 1, "cusec", wire::microseconds));
  KP_TRY(v.subkey, wire::readOptionalField(s, 2, "subkey", wire::nested<EncryptionKey>));
  KP_TRY(v.seqNumber, wire::readOptionalField(s, 3, "seq-number", wire::lenientUInt32));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const ApRep& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EncApRepPart& v) {
  return detail::encodeWhole(v);
}

template <>
Result<ApRep> decode<ApRep>(BytesView data) {
  return detail::decodeWhole<ApRep>(data, "AP-REP");
}
template <>
Result<EncApRepPart> decode<EncApRepPart>(BytesView data) {
  return detail::decodeWhole<EncApRepPart>(data, "EncAPRepPart");
}

}  // namespace kerbpool::core::messages
