#include "core/messages/ticket.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const Ticket& v) {
  w.application(1, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putString(s, 1, v.realm);
      wire::putNested(s, 2, v.sname);
      wire::putNested(s, 3, v.encPart);
    });
  });
}

void encodeTo(der::Writer& w, const std::vector<Ticket>& v) {
  wire::writeSequenceOfNested(w, v);
}

template <>
Result<Ticket> decodeFrom<Ticket>(der::Reader& r, std::string_view field) {
  const BytesView before = r.remaining();
  const std::size_t start = r.offset();
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 1, field, "Ticket"));
  Ticket v;
  KP_CHECK(wire::expectPvno(s, 0, "tkt-vno"));
  KP_TRY(v.realm, wire::readField(s, 1, "realm", wire::kerberosString));
  KP_TRY(v.sname, wire::readField(s, 2, "sname", wire::nested<PrincipalName>));
  KP_TRY(v.encPart, wire::readField(s, 3, "enc-part", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  const BytesView consumed = before.first(r.offset() - start);
  v.raw.assign(consumed.begin(), consumed.end());
  return v;
}

template <>
Result<std::vector<Ticket>> decodeFrom<std::vector<Ticket>>(der::Reader& r, std::string_view field) {
  return wire::sequenceOfNested<Ticket>(r, field);
}

void encodeTo(der::Writer& w, const EncTicketPart& v) {
  w.application(3, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putFlags(s, 0, v.flags);
      wire::putNested(s, 1, v.key);
      wire::putString(s, 2, v.crealm);
      wire::putNested(s, 3, v.cname);
      wire::putNested(s, 4, v.transited);
      wire::putTime(s, 5, v.authtime);
      if (v.starttime) {
        wire::putTime(s, 6, *v.starttime);
      }
      wire::putTime(s, 7, v.endtime);
      if (v.renewTill) {
        wire::putTime(s, 8, *v.renewTill);
      }
      if (v.caddr) {
        wire::putNested(s, 9, *v.caddr);
      }
      if (v.authorizationData) {
        wire::putNested(s, 10, *v.authorizationData);
      }
    });
  });
}

template <>
Result<EncTicketPart> decodeFrom<EncTicketPart>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 3, field, "EncTicketPart"));
  EncTicketPart v;
  KP_TRY(v.flags, wire::readField(s, 0, "flags", wire::kerberosFlags));
  KP_TRY(v.key, wire::readField(s, 1, "key", wire::nested<EncryptionKey>));
  KP_TRY(v.crealm, wire::readField(s, 2, "crealm", wire::kerberosString));
  KP_TRY(v.cname, wire::readField(s, 3, "cname", wire::nested<PrincipalName>));
  KP_TRY(v.transited, wire::readField(s, 4, "transited", wire::nested<TransitedEncoding>));
  KP_TRY(v.authtime, wire::readField(s, 5, "authtime", wire::kerberosTime));
  KP_TRY(v.starttime, wire::readOptionalField(s, 6, "starttime", wire::kerberosTime));
  KP_TRY(v.endtime, wire::readField(s, 7, "endtime", wire::kerberosTime));
  KP_TRY(v.renewTill, wire::readOptionalField(s, 8, "renew-till", wire::kerberosTime));
  KP_TRY(v.caddr, wire::readOptionalField(s, 9, "caddr", wire::nested<HostAddresses>));
  KP_TRY(v.authorizationData,
         wire::readOptionalField(s, 10, "authorization-data", wire::nested<AuthorizationData>));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const Ticket& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EncTicketPart& v) {
  return detail::encodeWhole(v);
}

template <>
Result<Ticket> decode<Ticket>(BytesView data) {
  return detail::decodeWhole<Ticket>(data, "Ticket");
}
template <>
Result<EncTicketPart> decode<EncTicketPart>(BytesView data) {
  return detail::decodeWhole<EncTicketPart>(data, "EncTicketPart");
}

}  // namespace kerbpool::core::messages
