#include "core/messages/krb_cred.hpp"

#include "core/messages/field_codec.hpp"

namespace kerbpool::core::messages {

void encodeTo(der::Writer& w, const KrbCred& v) {
  w.application(22, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::putInt(s, 0, 5);
      wire::putInt(s, 1, static_cast<std::int32_t>(iana::MsgType::KRB_CRED));
      wire::putNested(s, 2, v.tickets);
      wire::putNested(s, 3, v.encPart);
    });
  });
}

template <>
Result<KrbCred> decodeFrom<KrbCred>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 22, field, "KRB-CRED"));
  KP_CHECK(wire::expectPvno(s, 0));
  KP_CHECK(wire::expectMsgType(s, 1, iana::MsgType::KRB_CRED));
  KrbCred v;
  KP_TRY(v.tickets, wire::readField(s, 2, "tickets", wire::nested<std::vector<Ticket>>));
  KP_TRY(v.encPart, wire::readField(s, 3, "enc-part", wire::nested<EncryptedData>));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const KrbCredInfo& v) {
  w.sequence([&](der::Writer& s) {
    wire::putNested(s, 0, v.key);
    if (v.prealm) {
      wire::putString(s, 1, *v.prealm);
    }
    if (v.pname) {
      wire::putNested(s, 2, *v.pname);
    }
    if (v.flags) {
      wire::putFlags(s, 3, *v.flags);
    }
    if (v.authtime) {
      wire::putTime(s, 4, *v.authtime);
    }
    if (v.starttime) {
      wire::putTime(s, 5, *v.starttime);
    }
    if (v.endtime) {
      wire::putTime(s, 6, *v.endtime);
    }
    if (v.renewTill) {
      wire::putTime(s, 7, *v.renewTill);
    }
    if (v.srealm) {
      wire::putString(s, 8, *v.srealm);
    }
    if (v.sname) {
      wire::putNested(s, 9, *v.sname);
    }
    if (v.caddr) {
      wire::putNested(s, 10, *v.caddr);
    }
  });
}

template <>
Result<KrbCredInfo> decodeFrom<KrbCredInfo>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, r.enterSequence(field));
  KrbCredInfo v;
  KP_TRY(v.key, wire::readField(s, 0, "key", wire::nested<EncryptionKey>));
  KP_TRY(v.prealm, wire::readOptionalField(s, 1, "prealm", wire::kerberosString));
  KP_TRY(v.pname, wire::readOptionalField(s, 2, "pname", wire::nested<PrincipalName>));
  KP_TRY(v.flags, wire::readOptionalField(s, 3, "flags", wire::kerberosFlags));
  KP_TRY(v.authtime, wire::readOptionalField(s, 4, "authtime", wire::kerberosTime));
  KP_TRY(v.starttime, wire::readOptionalField(s, 5, "starttime", wire::kerberosTime));
  KP_TRY(v.endtime, wire::readOptionalField(s, 6, "endtime", wire::kerberosTime));
  KP_TRY(v.renewTill, wire::readOptionalField(s, 7, "renew-till", wire::kerberosTime));
  KP_TRY(v.srealm, wire::readOptionalField(s, 8, "srealm", wire::kerberosString));
  KP_TRY(v.sname, wire::readOptionalField(s, 9, "sname", wire::nested<PrincipalName>));
  KP_TRY(v.caddr, wire::readOptionalField(s, 10, "caddr", wire::nested<HostAddresses>));
  KP_CHECK(s.expectEnd());
  return v;
}

void encodeTo(der::Writer& w, const EncKrbCredPart& v) {
  w.application(29, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      wire::writeField(s, 0, [&](der::Writer& c) { wire::writeSequenceOfNested(c, v.ticketInfo); });
      if (v.nonce) {
        wire::putInt(s, 1, *v.nonce);
      }
      if (v.timestamp) {
        wire::putTime(s, 2, *v.timestamp);
      }
      if (v.usec) {
        wire::putInt(s, 3, *v.usec);
      }
      if (v.sAddress) {
        wire::putNested(s, 4, *v.sAddress);
      }
      if (v.rAddress) {
        wire::putNested(s, 5, *v.rAddress);
      }
    });
  });
}

template <>
Result<EncKrbCredPart> decodeFrom<EncKrbCredPart>(der::Reader& r, std::string_view field) {
  KP_TRY(der::Reader s, wire::enterApplicationSequence(r, 29, field, "EncKrbCredPart"));
  EncKrbCredPart v;
  KP_TRY(v.ticketInfo, wire::readField(s, 0, "ticket-info", wire::sequenceOfNested<KrbCredInfo>));
  KP_TRY(v.nonce, wire::readOptionalField(s, 1, "nonce", wire::lenientUInt32));
  KP_TRY(v.timestamp, wire::readOptionalField(s, 2, "timestamp", wire::kerberosTime));
  KP_TRY(v.usec, wire::readOptionalField(s, 3, "usec", wire::microseconds));
  KP_TRY(v.sAddress, wire::readOptionalField(s, 4, "s-address", wire::nested<HostAddress>));
  KP_TRY(v.rAddress, wire::readOptionalField(s, 5, "r-address", wire::nested<HostAddress>));
  KP_CHECK(s.expectEnd());
  return v;
}

Bytes encode(const KrbCred& v) {
  return detail::encodeWhole(v);
}
Bytes encode(const EncKrbCredPart& v) {
  return detail::encodeWhole(v);
}

template <>
Result<KrbCred> decode<KrbCred>(BytesView data) {
  return detail::decodeWhole<KrbCred>(data, "KRB-CRED");
}
template <>
Result<EncKrbCredPart> decode<EncKrbCredPart>(BytesView data) {
  return detail::decodeWhole<EncKrbCredPart>(data, "EncKrbCredPart");
}

}  // namespace kerbpool::core::messages
