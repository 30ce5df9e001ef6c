#include "core/messages/kdc_rep.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {
namespace {

void encodeKdcRep(der::Writer& w, const KdcRep& v, iana::MsgType type) {
  const auto n = static_cast<std::int32_t>(type);
  w.application(static_cast<std::uint32_t>(n), [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putInt(s, 1, n);
      if (v.padata) {
        wire::putNested(s, 2, *v.padata);
      }
      wire::putString(s, 3, v.crealm);
      wire::putNested(s, 4, v.cname);
      wire::putNested(s, 5, v.ticket);
      wire::putNested(s, 6, v.encPart);
    });
  });
}

Result<KdcRep> decodeKdcRep(der::Reader& r, std::string_view field, iana::MsgType type,
                            std::string_view what) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, static_cast<std::uint32_t>(type), field, what));
  KP_CHECK(wire::expectPvno(s, 0));
  KP_CHECK(wire::expectMsgType(s, 1, type));
  KdcRep v;
  KP_TRY(v.padata, wire::readOptionalField(s, 2, "padata", wire::nested<MethodData>));
  KP_TRY(v.crealm, wire::readField(s, 3, "crealm", wire::kerberosString));
  KP_TRY(v.cname, wire::readField(s, 4, "cname", wire::nested<PrincipalName>));
  KP_TRY(v.ticket, wire::readField(s, 5, "ticket", wire::nested<Ticket>));
  KP_TRY(v.encPart, wire::readField(s, 6, "enc-part", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  return v;
}

}  // namespace

void encodeTo(der::Writer& w, const AsRep& v) {
  encodeKdcRep(w, v, iana::MsgType::KRB_AS_REP);
}
void encodeTo(der::Writer& w, const TgsRep& v) {
  encodeKdcRep(w, v, iana::MsgType::KRB_TGS_REP);
}

template <>
Result<AsRep> decodeFrom<AsRep>(der::Reader& r, std::string_view field) {
  KP_TRY(KdcRep v, decodeKdcRep(r, field, iana::MsgType::KRB_AS_REP, "AS-REP"));
  return AsRep{std::move(v)};
}

template <>
Result<TgsRep> decodeFrom<TgsRep>(der::Reader& r, std::string_view field) {
  KP_TRY(KdcRep v, decodeKdcRep(r, field, iana::MsgType::KRB_TGS_REP, "TGS-REP"));
  return TgsRep{std::move(v)};
}

void encodeTo(der::Writer& w, const EncKdcRepPart& v) {
  w.application(static_cast<std::uint32_t>(v.tag), [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putNested(s, 0, v.key);
      wire::putNested(s, 1, v.lastReq);
      wire::putInt(s, 2, v.nonce);
      if (v.keyExpiration) {
        wire::putTime(s, 3, *v.keyExpiration);
      }
      wire::putFlags(s, 4, v.flags);
      wire::putTime(s, 5, v.authtime);
      if (v.starttime) {
        wire::putTime(s, 6, *v.starttime);
      }
      wire::putTime(s, 7, v.endtime);
      if (v.renewTill) {
        wire::putTime(s, 8, *v.renewTill);
      }
      wire::putString(s, 9, v.srealm);
      wire::putNested(s, 10, v.sname);
      if (v.caddr) {
        wire::putNested(s, 11, *v.caddr);
      }
      if (v.encryptedPaData) {
        wire::putNested(s, 12, *v.encryptedPaData);
      }
    });
  });
}

template <>
Result<EncKdcRepPart> decodeFrom<EncKdcRepPart>(der::Reader& r, std::string_view field) {
  std::uint32_t found = 0;
  KP_TRY(der::Reader s,
         wire::enterApplicationSequenceOneOf(r, static_cast<std::uint32_t>(EncKdcRepPartTag::EncASRepPart),
                                             static_cast<std::uint32_t>(EncKdcRepPartTag::EncTGSRepPart),
                                             field, "EncKDCRepPart", found));
  EncKdcRepPart v;
  v.tag = static_cast<EncKdcRepPartTag>(found);
  KP_TRY(v.key, wire::readField(s, 0, "key", wire::nested<EncryptionKey>));
  KP_TRY(v.lastReq, wire::readField(s, 1, "last-req", wire::nested<LastReq>));
  KP_TRY(v.nonce, wire::readField(s, 2, "nonce", wire::lenientUInt32));
  KP_TRY(v.keyExpiration, wire::readOptionalField(s, 3, "key-expiration", wire::kerberosTime));
  KP_TRY(v.flags, wire::readField(s, 4, "flags", wire::kerberosFlags));
  KP_TRY(v.authtime, wire::readField(s, 5, "authtime", wire::kerberosTime));
  KP_TRY(v.starttime, wire::readOptionalField(s, 6, "starttime", wire::kerberosTime));
  KP_TRY(v.endtime, wire::readField(s, 7, "endtime", wire::kerberosTime));
  KP_TRY(v.renewTill, wire::readOptionalField(s, 8, "renew-till", wire::kerberosTime));
  KP_TRY(v.srealm, wire::readField(s, 9, "srealm", wire::kerberosString));
  KP_TRY(v.sname, wire::readField(s, 10, "sname", wire::nested<PrincipalName>));
  KP_TRY(v.caddr, wire::readOptionalField(s, 11, "caddr", wire::nested<HostAddresses>));
  KP_TRY(v.encryptedPaData, wire::readOptionalField(s, 12, "encrypted-pa-data", wire::nested<MethodData>));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const AsRep& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const TgsRep& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EncKdcRepPart& v) {
  return detail::encodeWhole(v);
}

template <>
Result<AsRep> decode<AsRep>(BytesView data) {
  return detail::decodeWhole<AsRep>(data, "AS-REP");
}
template <>
Result<TgsRep> decode<TgsRep>(BytesView data) {
  return detail::decodeWhole<TgsRep>(data, "TGS-REP");
}
template <>
Result<EncKdcRepPart> decode<EncKdcRepPart>(BytesView data) {
  return detail::decodeWhole<EncKdcRepPart>(data, "EncKDCRepPart");
}

}  // namespace kerbpool::core::messages
