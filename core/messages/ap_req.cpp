#include "core/messages/ap_req.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const ApReq& v) {
  w.application(14, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putInt(s, 1, static_cast<std::int32_t>(iana::MsgType::KRB_AP_REQ));
      wire::putFlags(s, 2, v.apOptions);
      wire::putNested(s, 3, v.ticket);
      wire::putNested(s, 4, v.authenticator);
    });
  });
}

template <>
Result<ApReq> decodeFrom<ApReq>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 14, field, "AP-REQ"));
  KP_CHECK(wire::expectPvno(s, 0));
  KP_CHECK(wire::expectMsgType(s, 1, iana::MsgType::KRB_AP_REQ));
  ApReq v;
  KP_TRY(v.apOptions, wire::readField(s, 2, "ap-options", wire::kerberosFlags));
  KP_TRY(v.ticket, wire::readField(s, 3, "ticket", wire::nested<Ticket>));
  KP_TRY(v.authenticator, wire::readField(s, 4, "authenticator", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const ApReq& v) {
  return detail::encodeWhole(v);
}

template <>
Result<ApReq> decode<ApReq>(BytesView data) {
  return detail::decodeWhole<ApReq>(data, "AP-REQ");
}

}  // namespace kerbpool::core::messages
