#include "core/messages/authenticator.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const Authenticator& v) {
  w.application(2, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putString(s, 1, v.crealm);
      wire::putNested(s, 2, v.cname);
      if (v.cksum) {
        wire::putNested(s, 3, *v.cksum);
      }
      wire::putInt(s, 4, v.cusec);
      wire::putTime(s, 5, v.ctime);
      if (v.subkey) {
        wire::putNested(s, 6, *v.subkey);
      }
      if (v.seqNumber) {
        wire::putInt(s, 7, *v.seqNumber);
      }
      if (v.authorizationData) {
        wire::putNested(s, 8, *v.authorizationData);
      }
    });
  });
}

template <>
Result<Authenticator> decodeFrom<Authenticator>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 2, field, "Authenticator"));
  KP_CHECK(wire::expectPvno(s, 0, "authenticator-vno"));
  Authenticator v;
  KP_TRY(v.crealm, wire::readField(s, 1, "crealm", wire::kerberosString));
  KP_TRY(v.cname, wire::readField(s, 2, "cname", wire::nested<PrincipalName>));
  KP_TRY(v.cksum, wire::readOptionalField(s, 3, "cksum", wire::nested<Checksum>));
  KP_TRY(v.cusec, wire::readField(s, 4, "cusec", wire::microseconds));
  KP_TRY(v.ctime, wire::readField(s, 5, "ctime", wire::kerberosTime));
  KP_TRY(v.subkey, wire::readOptionalField(s, 6, "subkey", wire::nested<EncryptionKey>));
  KP_TRY(v.seqNumber, wire::readOptionalField(s, 7, "seq-number", wire::lenientUInt32));
  KP_TRY(v.authorizationData,
         wire::readOptionalField(s, 8, "authorization-data", wire::nested<AuthorizationData>));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const Authenticator& v) {
  return detail::encodeWhole(v);
}

template <>
Result<Authenticator> decode<Authenticator>(BytesView data) {
  return detail::decodeWhole<Authenticator>(data, "Authenticator");
}

}  // namespace kerbpool::core::messages
