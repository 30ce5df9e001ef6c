// Every DER encoding in MIT's reference_encode.out decodes into the right type and re-encodes byte for
// byte; a few decoded values are checked against the sample values listed in the vector file's notes.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <string>

#include "core/iana/error_code.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "core/messages/ticket.hpp"
#include "core/messages/types.hpp"
#include "tests/core/messages/test_helpers.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::messages;
using kerbpool::test::requireRoundTrip;

namespace {

constexpr KerberosTime kSampleTime = 771228197;  // 19940610060317Z
const std::string kRealm = "ATHENA.MIT.EDU";

PrincipalName samplePrincipal() {
  return PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {"hftsai", "extra"}};
}
EncryptedData sampleEncData() {
  return EncryptedData{0, 5u, toBytes("krbASN.1 test message")};
}
EncryptionKey sampleKey() {
  return EncryptionKey{1, toBytes("12345678")};
}
MethodData samplePadata() {
  return MethodData{{static_cast<iana::PaType>(13), toBytes("pa-data")},
                    {static_cast<iana::PaType>(13), toBytes("pa-data")}};
}

nlohmann::json entryNamed(const nlohmann::json& entries, const std::string& name) {
  for (const auto& e : entries) {
    if (e["name"] == name) {
      return e;
    }
  }
  FAIL("no vector entry " << name);
  return {};
}

void checkKdcReq(const KdcReq& req, const std::string& name) {
  const KdcReqBody& b = req.reqBody;
  CHECK(b.kdcOptions == 0xFEDCBA90u);
  CHECK(b.realm == kRealm);
  CHECK(b.sname == samplePrincipal());
  CHECK(b.till == kSampleTime);
  CHECK(b.nonce == 42u);
  CHECK(b.etype == std::vector<std::int32_t>{0, 1});
  if (name.find("optionals NULL") == std::string::npos) {
    CHECK(req.padata == samplePadata());
    CHECK(b.cname == samplePrincipal());
    CHECK(b.from == kSampleTime);
    CHECK(b.rtime == kSampleTime);
    REQUIRE(b.addresses.has_value());
    CHECK(b.addresses->size() == 2);
    CHECK(b.encAuthorizationData == sampleEncData());
    REQUIRE(b.additionalTickets.has_value());
    CHECK(b.additionalTickets->size() == 2);
  } else {
    CHECK_FALSE(req.padata.has_value());
    CHECK_FALSE(b.cname.has_value());
    CHECK_FALSE(b.additionalTickets.has_value());
  }
}

void checkKdcRep(const KdcRep& rep, const std::string& name) {
  CHECK(rep.crealm == kRealm);
  CHECK(rep.cname == samplePrincipal());
  CHECK(rep.ticket.realm == kRealm);
  CHECK(rep.ticket.encPart == sampleEncData());
  CHECK(rep.encPart == sampleEncData());
  if (name.find("optionals NULL") == std::string::npos) {
    CHECK(rep.padata == samplePadata());
  } else {
    CHECK_FALSE(rep.padata.has_value());
  }
}

using Check = std::function<void(const Bytes&, const std::string&)>;

const std::map<std::string, Check>& checksByType() {
  static const std::map<std::string, Check> checks = {
      {"Authenticator",
       [](const Bytes& der, const std::string& name) {
         const auto a = requireRoundTrip<Authenticator>(der);
         CHECK(a.crealm == kRealm);
         CHECK(a.cname == samplePrincipal());
         CHECK(a.cusec == 123456);
         CHECK(a.ctime == kSampleTime);
         if (name.find("optionals NULL") == std::string::npos) {
           CHECK(a.cksum == Checksum{1, toBytes("1234")});
           CHECK(a.subkey == sampleKey());
           CHECK(a.seqNumber == 17u);
           REQUIRE(a.authorizationData.has_value());
           CHECK(a.authorizationData->size() == 2);
         } else {
           CHECK_FALSE(a.cksum.has_value());
           CHECK_FALSE(a.seqNumber.has_value());
         }
       }},
      {"Ticket",
       [](const Bytes& der, const std::string&) {
         const auto t = requireRoundTrip<Ticket>(der);
         CHECK(t.realm == kRealm);
         CHECK(t.sname == samplePrincipal());
         CHECK(t.encPart == sampleEncData());
         CHECK(t.raw == der);
       }},
      {"EncryptionKey",
       [](const Bytes& der, const std::string&) {
         CHECK(requireRoundTrip<EncryptionKey>(der) == sampleKey());
       }},
      {"EncTicketPart",
       [](const Bytes& der, const std::string& name) {
         const auto p = requireRoundTrip<EncTicketPart>(der);
         CHECK(p.flags == 0xFEDCBA98u);
         CHECK(p.key == sampleKey());
         CHECK(p.crealm == kRealm);
         CHECK(toString(p.transited.contents) == "EDU,MIT.,ATHENA.,WASHINGTON.EDU,CS.");
         CHECK(p.authtime == kSampleTime);
         CHECK(p.endtime == kSampleTime);
         if (name.find("optionals NULL") == std::string::npos) {
           CHECK(p.starttime == kSampleTime);
           REQUIRE(p.caddr.has_value());
           CHECK(p.caddr->at(0) == HostAddress{2, Bytes{0x12, 0xd0, 0x00, 0x23}});
           REQUIRE(p.authorizationData.has_value());
           CHECK(p.authorizationData->at(1).adData == toBytes("foobar"));
         } else {
           CHECK_FALSE(p.starttime.has_value());
           CHECK_FALSE(p.authorizationData.has_value());
         }
       }},
      {"EncTGSRepPart as encoded by MIT (see note)",
       [](const Bytes& der, const std::string& name) {
         const auto p = requireRoundTrip<EncKdcRepPart>(der);
         CHECK(p.tag == EncKdcRepPartTag::EncTGSRepPart);
         CHECK(p.nonce == 42u);
         CHECK(p.key == sampleKey());
         REQUIRE(p.lastReq.size() == 2);
         CHECK(p.lastReq[0] == LastReqEntry{-5, kSampleTime});
         CHECK(p.srealm == kRealm);
         const bool allOptionals = name.find("optionals NULL") == std::string::npos;
         CHECK(p.flags == (allOptionals ? 0xFEDCBA98u : 0xFE5CBA98u));
         CHECK(p.keyExpiration.has_value() == allOptionals);
         CHECK(p.caddr.has_value() == allOptionals);
       }},
      {"AS-REP",
       [](const Bytes& der, const std::string& name) { checkKdcRep(requireRoundTrip<AsRep>(der), name); }},
      {"TGS-REP",
       [](const Bytes& der, const std::string& name) { checkKdcRep(requireRoundTrip<TgsRep>(der), name); }},
      {"AP-REQ",
       [](const Bytes& der, const std::string&) {
         const auto a = requireRoundTrip<ApReq>(der);
         CHECK(a.apOptions == 0xFEDCBA98u);
         CHECK(a.ticket.realm == kRealm);
         CHECK(a.authenticator == sampleEncData());
       }},
      {"AP-REP", [](const Bytes& der,
                    const std::string&) { CHECK(requireRoundTrip<ApRep>(der).encPart == sampleEncData()); }},
      {"EncAPRepPart",
       [](const Bytes& der, const std::string& name) {
         const auto p = requireRoundTrip<EncApRepPart>(der);
         CHECK(p.ctime == kSampleTime);
         CHECK(p.cusec == 123456);
         if (name.find("optionals NULL") == std::string::npos) {
           CHECK(p.subkey == sampleKey());
           CHECK(p.seqNumber == 17u);
         } else {
           CHECK_FALSE(p.seqNumber.has_value());
         }
       }},
      {"AS-REQ",
       [](const Bytes& der, const std::string& name) { checkKdcReq(requireRoundTrip<AsReq>(der), name); }},
      {"TGS-REQ",
       [](const Bytes& der, const std::string& name) { checkKdcReq(requireRoundTrip<TgsReq>(der), name); }},
      {"KDC-REQ-BODY",
       [](const Bytes& der, const std::string&) {
         const auto b = requireRoundTrip<KdcReqBody>(der);
         CHECK(b.nonce == 42u);
         CHECK(b.raw == der);
       }},
      {"KRB-ERROR",
       [](const Bytes& der, const std::string& name) {
         const auto e = requireRoundTrip<KrbError>(der);
         CHECK(e.errorCode == iana::ErrorCode::KRB_ERR_GENERIC);
         CHECK(e.stime == kSampleTime);
         CHECK(e.susec == 123456);
         CHECK(e.realm == kRealm);
         CHECK(e.sname == samplePrincipal());
         if (name.find("optionals NULL") == std::string::npos) {
           CHECK(e.ctime == kSampleTime);
           CHECK(e.crealm == kRealm);
           CHECK(e.eText == std::string("krb5data"));
           CHECK(e.eData == toBytes("krb5data"));
         } else {
           CHECK_FALSE(e.ctime.has_value());
           CHECK_FALSE(e.eData.has_value());
         }
       }},
      {"AuthorizationData",
       [](const Bytes& der, const std::string&) {
         const auto ad = requireRoundTrip<AuthorizationData>(der);
         REQUIRE(ad.size() == 2);
         CHECK(ad[0] == AuthorizationDataEntry{iana::AdType::AD_IF_RELEVANT, toBytes("foobar")});
       }},
      {"METHOD-DATA / SEQUENCE OF PA-DATA",
       [](const Bytes& der, const std::string& name) {
         const auto md = requireRoundTrip<MethodData>(der);
         CHECK(md == (name.find("empty") == std::string::npos ? samplePadata() : MethodData{}));
       }},
      {"TYPED-DATA",
       [](const Bytes& der, const std::string&) {
         const auto td = requireRoundTrip<TypedData>(der);
         REQUIRE(td.size() == 2);
         CHECK(td[1] == TypedDataEntry{13, toBytes("pa-data")});
       }},
      {"ETYPE-INFO2",
       [](const Bytes& der, const std::string& name) {
         const auto info = requireRoundTrip<EtypeInfo2>(der);
         REQUIRE(info.size() == (name.find("only 1") == std::string::npos ? 3u : 1u));
         CHECK(info[0] == EtypeInfo2Entry{0, std::string("Morton's #0"), toBytes("s2k: 0")});
         if (info.size() == 3) {
           CHECK(info[1] == EtypeInfo2Entry{1, std::nullopt, toBytes("s2k: 1")});
         }
       }},
      {"PA-ENC-TS-ENC",
       [](const Bytes& der, const std::string& name) {
         const auto ts = requireRoundTrip<PaEncTsEnc>(der);
         CHECK(ts.patimestamp == kSampleTime);
         CHECK(ts.pausec == (name.find("no usec") == std::string::npos ? std::optional<Microseconds>(123456)
                                                                       : std::nullopt));
       }},
      {"EncryptedData",
       [](const Bytes& der, const std::string& name) {
         const auto ed = requireRoundTrip<EncryptedData>(der);
         CHECK(ed.etype == 0);
         CHECK(ed.cipher == toBytes("krbASN.1 test message"));
         if (name.find("MSB-set") != std::string::npos) {
           CHECK(ed.kvno == 0xFF000000u);
         } else if (name.find("kvno=-1") != std::string::npos) {
           CHECK(ed.kvno == 0xFFFFFFFFu);
         } else {
           CHECK(ed.kvno == 5u);
         }
       }},
  };
  return checks;
}

}  // namespace

TEST_CASE("every MIT reference encoding decodes and re-encodes byte for byte", "[messages][vectors]") {
  const auto vectors = kerbpool::test::loadVectors("mit-krb5-asn1-reference-encodings.json");
  const auto& entries = vectors["vectors"];
  REQUIRE(entries.size() >= 33);
  for (const auto& entry : entries) {
    const std::string name = entry["name"];
    const std::string type = entry["type"];
    SECTION(name) {
      const Bytes der = kerbpool::test::hexBytes(entry["der_hex"]);
      const auto it = checksByType().find(type);
      INFO("type " << type);
      REQUIRE(it != checksByType().end());
      it->second(der, name);
      if (!entry["application_tag"].is_null()) {
        const int tag = entry["application_tag"];
        CHECK(der[0] == 0x60 + tag);
      }
    }
  }
}

TEST_CASE("nested ticket and req-body keep their exact bytes", "[messages][vectors]") {
  const auto entries = kerbpool::test::loadVectors("mit-krb5-asn1-reference-encodings.json")["vectors"];
  const Bytes ticket = kerbpool::test::hexBytes(entryNamed(entries, "encode_krb5_ticket")["der_hex"]);
  const Bytes body = kerbpool::test::hexBytes(entryNamed(entries, "encode_krb5_kdc_req_body")["der_hex"]);

  const auto rep =
      requireRoundTrip<AsRep>(kerbpool::test::hexBytes(entryNamed(entries, "encode_krb5_as_rep")["der_hex"]));
  CHECK(rep.ticket.raw == ticket);
  const auto apReq =
      requireRoundTrip<ApReq>(kerbpool::test::hexBytes(entryNamed(entries, "encode_krb5_ap_req")["der_hex"]));
  CHECK(apReq.ticket.raw == ticket);
  const auto tgsReq = requireRoundTrip<TgsReq>(
      kerbpool::test::hexBytes(entryNamed(entries, "encode_krb5_tgs_req")["der_hex"]));
  CHECK(tgsReq.reqBody.raw == body);
  REQUIRE(tgsReq.reqBody.additionalTickets.has_value());
  CHECK(tgsReq.reqBody.additionalTickets->at(1).raw == ticket);
  // Re-encoding a decoded body reproduces the bytes a checksum would have covered.
  CHECK(encode(tgsReq.reqBody) == body);
}

TEST_CASE("EncKDCRepPart keeps MIT's tag 26 and also accepts and keeps 25", "[messages][vectors]") {
  const auto entries = kerbpool::test::loadVectors("mit-krb5-asn1-reference-encodings.json")["vectors"];
  Bytes der = kerbpool::test::hexBytes(entryNamed(entries, "encode_krb5_enc_kdc_rep_part")["der_hex"]);
  REQUIRE(der[0] == 0x7a);
  der[0] = 0x79;  // the same content as [APPLICATION 25]
  const auto p = requireRoundTrip<EncKdcRepPart>(der);
  CHECK(p.tag == EncKdcRepPartTag::EncASRepPart);
  der[0] = 0x7b;  // [APPLICATION 27] is not an EncKDCRepPart
  CHECK(kerbpool::test::requireDecodingError<EncKdcRepPart>(der) == "bad_app_tag");
}
