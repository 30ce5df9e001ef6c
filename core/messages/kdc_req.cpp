#include "core/messages/kdc_req.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const KdcReqBody& v) {
  w.sequence([&](der::Writer& s) {
    wire::putFlags(s, 0, v.kdcOptions);
    if (v.cname) {
      wire::putNested(s, 1, *v.cname);
    }
    wire::putString(s, 2, v.realm);
    if (v.sname) {
      wire::putNested(s, 3, *v.sname);
    }
    if (v.from) {
      wire::putTime(s, 4, *v.from);
    }
    wire::putTime(s, 5, v.till);
    if (v.rtime) {
      wire::putTime(s, 6, *v.rtime);
    }
    wire::putInt(s, 7, v.nonce);
    wire::putInts(s, 8, v.etype);
    if (v.addresses) {
      wire::putNested(s, 9, *v.addresses);
    }
    if (v.encAuthorizationData) {
      wire::putNested(s, 10, *v.encAuthorizationData);
    }
    if (v.additionalTickets) {
      wire::putNested(s, 11, *v.additionalTickets);
    }
  });
}

template <>
Result<KdcReqBody> decodeFrom<KdcReqBody>(der::Reader& r, std::string_view field) {
  const BytesView before = r.remaining();
  const std::size_t start = r.offset();
  KP_TRY(der::Reader s, r.enterSequence(field));
  KdcReqBody v;
  KP_TRY(v.kdcOptions, wire::readField(s, 0, "kdc-options", wire::kerberosFlags));
  KP_TRY(v.cname, wire::readOptionalField(s, 1, "cname", wire::nested<PrincipalName>));
  KP_TRY(v.realm, wire::readField(s, 2, "realm", wire::kerberosString));
  KP_TRY(v.sname, wire::readOptionalField(s, 3, "sname", wire::nested<PrincipalName>));
  KP_TRY(v.from, wire::readOptionalField(s, 4, "from", wire::kerberosTime));
  KP_TRY(v.till, wire::readField(s, 5, "till", wire::kerberosTime));
  KP_TRY(v.rtime, wire::readOptionalField(s, 6, "rtime", wire::kerberosTime));
  KP_TRY(v.nonce, wire::readField(s, 7, "nonce", wire::lenientUInt32));
  KP_TRY(v.etype, wire::readField(s, 8, "etype", wire::sequenceOfInt32));
  KP_TRY(v.addresses, wire::readOptionalField(s, 9, "addresses", wire::nested<HostAddresses>));
  KP_TRY(v.encAuthorizationData,
         wire::readOptionalField(s, 10, "enc-authorization-data", wire::nested<EncryptedData>));
  KP_TRY(v.additionalTickets,
         wire::readOptionalField(s, 11, "additional-tickets", wire::nested<std::vector<Ticket>>));
  KP_CHECK(s.expectEnd());
  const BytesView consumed = before.first(r.offset() - start);
  v.raw.assign(consumed.begin(), consumed.end());
  return v;
}

namespace {

void encodeKdcReq(der::Writer& w, const KdcReq& v, iana::MsgType type) {
  const auto n = static_cast<std::int32_t>(type);
  w.application(static_cast<std::uint32_t>(n), [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 1, 5);
      wire::putInt(s, 2, n);
      if (v.padata) {
        wire::putNested(s, 3, *v.padata);
      }
      wire::putNested(s, 4, v.reqBody);
    });
  });
}

Result<KdcReq> decodeKdcReq(der::Reader& r, std::string_view field, iana::MsgType type,
                            std::string_view what) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, static_cast<std::uint32_t>(type), field, what));
  KP_CHECK(wire::expectPvno(s, 1));
  KP_CHECK(wire::expectMsgType(s, 2, type));
  KdcReq v;
  KP_TRY(v.padata, wire::readOptionalField(s, 3, "padata", wire::nested<MethodData>));
  KP_TRY(v.reqBody, wire::readField(s, 4, "req-body", wire::nested<KdcReqBody>));
  KP_CHECK(s.expectEnd());
  return v;
}

}  // namespace

void encodeTo(der::Writer& w, const AsReq& v) {
  encodeKdcReq(w, v, iana::MsgType::KRB_AS_REQ);
}
void encodeTo(der::Writer& w, const TgsReq& v) {
  encodeKdcReq(w, v, iana::MsgType::KRB_TGS_REQ);
}

template <>
Result<AsReq> decodeFrom<AsReq>(der::Reader& r, std::string_view field) {
  KP_TRY(KdcReq v, decodeKdcReq(r, field, iana::MsgType::KRB_AS_REQ, "AS-REQ"));
  return AsReq{std::move(v)};
}

template <>
Result<TgsReq> decodeFrom<TgsReq>(der::Reader& r, std::string_view field) {
  KP_TRY(KdcReq v, decodeKdcReq(r, field, iana::MsgType::KRB_TGS_REQ, "TGS-REQ"));
  return TgsReq{std::move(v)};
}

Bytes encode(const KdcReqBody& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const AsReq& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const TgsReq& v) {
  return detail::encodeWhole(v);
}

template <>
Result<KdcReqBody> decode<KdcReqBody>(BytesView data) {
  return detail::decodeWhole<KdcReqBody>(data, "KDC-REQ-BODY");
}
template <>
Result<AsReq> decode<AsReq>(BytesView data) {
  return detail::decodeWhole<AsReq>(data, "AS-REQ");
}
template <>
Result<TgsReq> decode<TgsReq>(BytesView data) {
  return detail::decodeWhole<TgsReq>(data, "TGS-REQ");
}

}  // namespace kerbpool::core::messages
