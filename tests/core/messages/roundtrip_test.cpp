// Structures built in code survive encode -> decode unchanged, with the wire details kerbpool relies on.
#include <algorithm>
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/der/der_writer.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/error_code.hpp"
#include "core/iana/kdc_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/iana/ticket_flags.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_cred.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "tests/core/messages/test_helpers.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::messages;
using kerbpool::test::requireDecodingError;
using kerbpool::test::requireRoundTrip;

namespace {

constexpr KerberosTime kNow = 1795392623;  // 2026-11-23T00:10:23Z

bool contains(const Bytes& hay, const std::string& hexNeedle) {
  return toHex(hay).find(hexNeedle) != std::string::npos;
}

PrincipalName krbtgt() {
  return {iana::NameType::KRB_NT_SRV_INST, {"krbtgt", "CONTOSO.TEST"}};
}
PrincipalName alice() {
  return {iana::NameType::KRB_NT_PRINCIPAL, {"alice"}};
}

Ticket sampleTicket() {
  return Ticket{"CONTOSO.TEST", krbtgt(), EncryptedData{18, 2u, Bytes(64, 0xab)}, {}};
}

}  // namespace

TEST_CASE("iana registries keep RFC names and bit positions", "[messages][iana]") {
  CHECK(iana::rfcName(iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN) == "KDC_ERR_S_PRINCIPAL_UNKNOWN");
  CHECK(iana::rfcName(iana::ErrorCode::KRB_ERR_RESPONSE_TOO_BIG) == "KRB_ERR_RESPONSE_TOO_BIG");
  CHECK(iana::rfcName(static_cast<iana::ErrorCode>(43)) == "UNKNOWN_ERROR_CODE");
  CHECK(iana::describe(iana::ErrorCode::KRB_AP_ERR_SKEW) == "Clock skew too great");
  CHECK(static_cast<int>(iana::ErrorCode::KDC_ERR_WRONG_REALM) == 68);
  CHECK(static_cast<int>(iana::ErrorCode::KRB_ERR_FIELD_TOOLONG) == 61);
  CHECK(iana::kdc_options::forwardable == 0x40000000u);
  CHECK(iana::kdc_options::renewable == 0x00800000u);
  CHECK(iana::kdc_options::canonicalize == 0x00010000u);
  CHECK(iana::kdc_options::validate == 0x00000001u);
  CHECK(iana::ticket_flags::pre_authent == 0x00200000u);
  CHECK(iana::ap_options::mutual_required == 0x20000000u);
  CHECK(iana::toUsage(iana::KeyUsage::AP_REP_ENCPART) == 12u);
}

TEST_CASE("AS-REQ with PA-ENC-TIMESTAMP and PA-PAC-REQUEST round-trips", "[messages][roundtrip]") {
  const PaEncTsEnc ts{kNow, 123456};
  const EncryptedData encTs{18, std::nullopt, Bytes(56, 0x11)};  // a ciphertext of DER(ts) in real use
  AsReq req;
  req.padata = MethodData{{iana::PaType::PA_ENC_TIMESTAMP, encode(encTs)},
                          {iana::PaType::PA_PAC_REQUEST, encode(PaPacRequest{false})}};
  req.reqBody.kdcOptions =
      iana::kdc_options::forwardable | iana::kdc_options::renewable | iana::kdc_options::canonicalize;
  req.reqBody.cname = alice();
  req.reqBody.realm = "CONTOSO.TEST";
  req.reqBody.sname = krbtgt();
  req.reqBody.till = kNow + 36000;
  req.reqBody.rtime = kNow + 7 * 86400;
  req.reqBody.nonce = 0x80000001u;
  req.reqBody.etype = {18, 17};

  const Bytes der = encode(req);
  CHECK(der[0] == 0x6a);
  CHECK(contains(der,
                 "a0070305004081"
                 "0000"));  // KerberosFlags: exactly 32 bits
  CHECK(contains(der,
                 "a7070205008000"
                 "0001"));  // UInt32 nonce with its leading 00
  const auto back = requireRoundTrip<AsReq>(der);
  CHECK(back == req);
  CHECK(back.reqBody.raw == encode(req.reqBody));
  REQUIRE(back.padata.has_value());
  CHECK(requireRoundTrip<PaPacRequest>((*back.padata)[1].padataValue) == PaPacRequest{false});
  const auto encBack = requireRoundTrip<EncryptedData>((*back.padata)[0].padataValue);
  CHECK(encBack == encTs);
  CHECK(requireRoundTrip<PaEncTsEnc>(encode(ts)) == ts);
  // PA-DATA starts at [1]: 30 len a1 03 02 01 02 a2 ...
  CHECK(contains(der, "a103020102a2"));
  CHECK(encode(PaPacRequest{true}) == Bytes{0x30, 0x05, 0xa0, 0x03, 0x01, 0x01, 0xff});
}

TEST_CASE("KRB-ERROR PREAUTH_REQUIRED carries METHOD-DATA with ETYPE-INFO2", "[messages][roundtrip]") {
  const EtypeInfo2 info{{18, std::string("CONTOSO.TESTalice"), Bytes{0x00, 0x00, 0x10, 0x00}},
                        {17, std::string("CONTOSO.TESTalice"), std::nullopt}};
  KrbError err;
  err.stime = kNow;
  err.susec = 4711;
  err.errorCode = iana::ErrorCode::KDC_ERR_PREAUTH_REQUIRED;
  err.cname = alice();
  err.crealm = "CONTOSO.TEST";
  err.realm = "CONTOSO.TEST";
  err.sname = krbtgt();
  err.eText = "Additional pre-authentication required";
  setMethodData(err, MethodData{{iana::PaType::PA_ETYPE_INFO2, encode(info)},
                                {iana::PaType::PA_ENC_TIMESTAMP, {}},
                                {iana::PaType::PA_FX_COOKIE, toBytes("MIT")}});

  const auto back = requireRoundTrip<KrbError>(encode(err));
  CHECK(back == err);
  auto md = methodData(back);
  REQUIRE(md.ok());
  REQUIRE(md->size() == 3);
  const PaData* p = findPaData(*md, iana::PaType::PA_ETYPE_INFO2);
  REQUIRE(p != nullptr);
  CHECK(requireRoundTrip<EtypeInfo2>(p->padataValue) == info);
  CHECK(findPaData(*md, iana::PaType::PA_ENC_TIMESTAMP)->padataValue.empty());
  // The salt is a KerberosString (1b), the s2kparams an OCTET STRING.
  CHECK(contains(encode(info), "a1131b11"));
  CHECK(contains(encode(info),
                 "a20604040000"
                 "1000"));

  KrbError bare = err;
  bare.eData.reset();
  auto none = methodData(bare);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == "no_e_data");
  bare.eData = toBytes("junk");
  auto junk = methodData(bare);
  REQUIRE_FALSE(junk.ok());
  CHECK(junk.error().category == ErrorCategory::Decoding);
  CHECK_THAT(junk.error().detail, Catch::Contains("KRB-ERROR.e-data"));
}

TEST_CASE("group memberships travel as AD-IF-RELEVANT { KERBPOOL_GROUPS }", "[messages][roundtrip]") {
  EncTicketPart part;
  part.flags =
      iana::ticket_flags::forwardable | iana::ticket_flags::initial | iana::ticket_flags::pre_authent;
  part.key = EncryptionKey{18, Bytes(32, 0x42)};
  part.crealm = "CONTOSO.TEST";
  part.cname = alice();
  part.transited = TransitedEncoding{1, {}};
  part.authtime = kNow;
  part.endtime = kNow + 36000;
  part.authorizationData = AuthorizationData{{iana::AdType::AD_WIN2K_PAC, toBytes("not a pac")}};
  addGroupAuthData(part.authorizationData, {"web-admins", "staff"});

  const auto back = requireRoundTrip<EncTicketPart>(encode(part));
  CHECK(back == part);
  REQUIRE(back.authorizationData.has_value());
  const auto& wrapper = back.authorizationData->at(1);
  CHECK(wrapper.adType == iana::AdType::AD_IF_RELEVANT);
  // Inner element: ad-type -73 is INTEGER 02 01 b7; ad-data SEQUENCE OF GeneralString.
  CHECK(contains(wrapper.adData, "a0030201b7"));
  CHECK(contains(wrapper.adData, "30131b0a7765622d61646d696e731b057374616666"));
  auto groups = extractGroups(*back.authorizationData);
  REQUIRE(groups.ok());
  REQUIRE(groups->has_value());
  CHECK(**groups == std::vector<std::string>{"web-admins", "staff"});

  SECTION("no group element") {
    auto none = extractGroups(AuthorizationData{{iana::AdType::AD_WIN2K_PAC, {}}});
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
  }
  SECTION("empty list") {
    CHECK(encodeGroupList({}) == Bytes{0x30, 0x00});
    std::optional<AuthorizationData> ad;
    addGroupAuthData(ad, {});
    auto empty = extractGroups(*ad);
    REQUIRE(empty.ok());
    REQUIRE(empty->has_value());
    CHECK((*empty)->empty());
  }
  SECTION("two group elements are refused") {
    AuthorizationData twice = *back.authorizationData;
    twice.push_back(makeGroupAuthData({"x"}));
    auto dup = extractGroups(twice);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == "duplicate_groups");
  }
  SECTION("malformed contents are decoding errors") {
    const AuthorizationData badWrapper{{iana::AdType::AD_IF_RELEVANT, toBytes("garbage")}};
    auto bad = extractGroups(badWrapper);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().category == ErrorCategory::Decoding);
    const AuthorizationData badList{
        {iana::AdType::AD_IF_RELEVANT,
         encode(AuthorizationData{{iana::AdType::KERBPOOL_GROUPS, Bytes{0x30, 0x03, 0x04, 0x01, 0x41}}})}};
    auto badGroups = extractGroups(badList);
    REQUIRE_FALSE(badGroups.ok());
    CHECK(badGroups.error().code == "bad_tag");
    CHECK_THAT(badGroups.error().detail, Catch::Contains("KerbpoolGroups"));
  }
}

TEST_CASE("logon-name authorization data: the account a ticket belongs to, next to the groups",
          "[messages][roundtrip]") {
  std::optional<AuthorizationData> ad;
  addGroupAuthData(ad, {"staff"});
  addLogonNameAuthData(ad, LogonName{"alice", "CONTOSO.TEST"});
  REQUIRE(ad->size() == 2);
  // Inner element: ad-type -74 is INTEGER 02 01 b6; SEQUENCE { [0] "alice", [1] "CONTOSO.TEST" }.
  CHECK(contains(ad->at(1).adData, "a0030201b6"));
  CHECK(encodeLogonName(LogonName{"alice", "CONTOSO.TEST"}) ==
        *fromHex("3019a0071b05616c696365a10e1b0c434f4e544f534f2e54455354"));
  auto name = extractLogonName(*ad);
  REQUIRE(name.ok());
  REQUIRE(name->has_value());
  CHECK(**name == LogonName{"alice", "CONTOSO.TEST"});
  auto groups = extractGroups(*ad);
  REQUIRE(groups.ok());
  CHECK(**groups == std::vector<std::string>{"staff"});

  SECTION("absent") {
    auto none = extractLogonName(AuthorizationData{{iana::AdType::AD_WIN2K_PAC, {}}});
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
  }
  SECTION("two are refused") {
    addLogonNameAuthData(ad, LogonName{"bob", "CONTOSO.TEST"});
    auto dup = extractLogonName(*ad);
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().code == "duplicate_logon_name");
  }
  SECTION("malformed or empty contents are decoding errors naming the element") {
    const AuthorizationData bad{
        {iana::AdType::AD_IF_RELEVANT,
         encode(AuthorizationData{{iana::AdType::KERBPOOL_LOGON_NAME, *fromHex("3005a0031b0161")}})}};
    auto truncated = extractLogonName(bad);
    REQUIRE_FALSE(truncated.ok());
    CHECK(truncated.error().category == ErrorCategory::Decoding);
    CHECK_THAT(truncated.error().detail, Catch::Contains("realm"));
    const AuthorizationData empty{
        {iana::AdType::AD_IF_RELEVANT, encode(AuthorizationData{{iana::AdType::KERBPOOL_LOGON_NAME,
                                                                 encodeLogonName(LogonName{"", "X"})}})}};
    auto emptyName = extractLogonName(empty);
    REQUIRE_FALSE(emptyName.ok());
    CHECK(emptyName.error().code == "empty_logon_name");
  }
}

TEST_CASE("KerberosFlags: any bit length in, exactly 32 bits out", "[messages][roundtrip]") {
  auto apReqWithFlags = [](const Bytes& bitStringContent) {
    der::Writer w;
    w.application(14, [&](der::Writer& a) {
      a.sequence([&](der::Writer& s) {
        s.context(0, [](der::Writer& c) { c.integer(5); });
        s.context(1, [](der::Writer& c) { c.integer(14); });
        s.context(2, [&](der::Writer& c) {
          c.wrap(der::Tag::universalPrimitive(der::universal::kBitString), bitStringContent);
        });
        s.context(3, [](der::Writer& c) { encodeTo(c, sampleTicket()); });
        s.context(4, [](der::Writer& c) { encodeTo(c, EncryptedData{18, std::nullopt, Bytes(40, 1)}); });
      });
    });
    return w.take();
  };
  struct Case {
    Bytes content;
    std::uint32_t flags;
  };
  const Case cases[] = {
      {{0x00}, 0},                                          // zero bits
      {{0x07, 0x80}, 0x80000000u},                          // one bit
      {{0x05, 0x20}, iana::ap_options::mutual_required},    // three bits
      {{0x00, 0x60, 0x00, 0x00, 0x00}, 0x60000000u},        // the usual 32 bits
      {{0x00, 0x20, 0x00, 0x00, 0x01, 0xff}, 0x20000001u},  // 40 bits: extra ones ignored
  };
  for (const Case& c : cases) {
    INFO("bit string " << toHex(c.content));
    auto r = decode<ApReq>(apReqWithFlags(c.content));
    INFO(kerbpool::test::failureText(r));
    REQUIRE(r.ok());
    CHECK(r->apOptions == c.flags);
    const Bytes again = encode(*r);
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(c.flags >> 24),
                               static_cast<std::uint8_t>(c.flags >> 16),
                               static_cast<std::uint8_t>(c.flags >> 8), static_cast<std::uint8_t>(c.flags)};
    CHECK(contains(again, "a20703050" + std::string("0") + toHex(BytesView(b, 4))));
  }
  // Non-zero unused bits are not DER.
  requireDecodingError<ApReq>(apReqWithFlags({0x07, 0x81}));
}

TEST_CASE("kvno, nonce and seq-number accept MIT's signed encodings", "[messages][roundtrip]") {
  CHECK(encode(EncryptedData{0, 0x80000000u, {}}) == *fromHex("3011a003020100a10602048000"
                                                              "0000a2020400"));
  const auto positive = requireRoundTrip<EncryptedData>(*fromHex("300fa003020100a10402020100a2020400"));
  CHECK(positive.kvno == 256u);
  // An unsigned 5-octet encoding is accepted too (it re-encodes in MIT's signed form).
  auto unsignedForm = decode<EncryptedData>(*fromHex("3012a003020100a107020500ff000000a2020400"));
  REQUIRE(unsignedForm.ok());
  CHECK(unsignedForm->kvno == 0xFF000000u);

  KdcReqBody body;
  body.realm = "R";
  body.till = kNow;
  body.etype = {18};
  der::Writer w;
  w.sequence([&](der::Writer& s) {
    s.context(0, [](der::Writer& c) { c.bitString(Bytes(4, 0)); });
    s.context(2, [](der::Writer& c) { c.generalString("R"); });
    s.context(5, [](der::Writer& c) { c.kerberosTime(kNow); });
    s.context(7, [](der::Writer& c) { c.integer(-1); });  // old MIT/Heimdal style negative nonce
    s.context(8, [](der::Writer& c) { c.sequence([](der::Writer& q) { q.integer(18); }); });
  });
  auto negNonce = decode<KdcReqBody>(w.bytes());
  REQUIRE(negNonce.ok());
  CHECK(negNonce->nonce == 0xFFFFFFFFu);
  CHECK(contains(encode(*negNonce), "a707020500ffffffff"));

  const EncApRepPart rep{kNow, 999999, EncryptionKey{18, Bytes(32, 7)}, 0xFFFFFFF0u};
  CHECK(requireRoundTrip<EncApRepPart>(encode(rep)) == rep);
}

TEST_CASE("replies, AP exchange and KRB-CRED round-trip", "[messages][roundtrip]") {
  AsRep rep;
  rep.padata = MethodData{
      {iana::PaType::PA_ETYPE_INFO2, encode(EtypeInfo2{{18, std::string("CONTOSO.TESTalice"), {}}})}};
  rep.crealm = "CONTOSO.TEST";
  rep.cname = alice();
  rep.ticket = sampleTicket();
  rep.encPart = EncryptedData{18, std::nullopt, Bytes(200, 3)};
  const auto repBack = requireRoundTrip<AsRep>(encode(rep));
  CHECK(repBack == rep);
  CHECK(repBack.ticket.raw == encode(rep.ticket));
  CHECK(peekMsgType(encode(rep)) == iana::MsgType::KRB_AS_REP);
  CHECK_FALSE(peekMsgType(Bytes{0x30, 0x00}).has_value());
  CHECK_FALSE(peekMsgType(Bytes{}).has_value());

  EncKdcRepPart part;
  part.key = EncryptionKey{18, Bytes(32, 9)};
  part.lastReq = {{0, kNow}};
  part.nonce = 1630994810u;
  part.flags = iana::ticket_flags::initial | iana::ticket_flags::pre_authent;
  part.authtime = kNow;
  part.endtime = kNow + 36000;
  part.srealm = "CONTOSO.TEST";
  part.sname = krbtgt();
  part.encryptedPaData = MethodData{{iana::PaType::PA_REQ_ENC_PA_REP, Bytes{1, 2}}};
  const Bytes partDer = encode(part);
  CHECK(partDer[0] == 0x79);  // EncASRepPart by default
  CHECK(requireRoundTrip<EncKdcRepPart>(partDer) == part);
  part.tag = EncKdcRepPartTag::EncTGSRepPart;
  CHECK(encode(part)[0] == 0x7a);

  Authenticator auth;
  auth.crealm = "CONTOSO.TEST";
  auth.cname = alice();
  auth.cksum = Checksum{0x8003, Bytes(24, 0)};
  auth.cusec = 42;
  auth.ctime = kNow;
  auth.subkey = EncryptionKey{18, Bytes(32, 5)};
  auth.seqNumber = 12345u;
  CHECK(requireRoundTrip<Authenticator>(encode(auth)) == auth);

  const ApReq apReq{iana::ap_options::mutual_required, sampleTicket(),
                    EncryptedData{18, std::nullopt, Bytes(90, 4)}};
  CHECK(requireRoundTrip<ApReq>(encode(apReq)) == apReq);
  const ApRep apRep{EncryptedData{18, std::nullopt, Bytes(60, 6)}};
  CHECK(requireRoundTrip<ApRep>(encode(apRep)) == apRep);

  KrbCredInfo info;
  info.key = EncryptionKey{18, Bytes(32, 8)};
  info.prealm = "CONTOSO.TEST";
  info.pname = alice();
  info.flags = iana::ticket_flags::forwardable | iana::ticket_flags::forwarded;
  info.authtime = kNow;
  info.endtime = kNow + 36000;
  info.srealm = "CONTOSO.TEST";
  info.sname = krbtgt();
  const EncKrbCredPart credPart{{info}, 7u, kNow, 5, std::nullopt, std::nullopt};
  const Bytes credPartDer = encode(credPart);
  CHECK(credPartDer[0] == 0x7d);
  CHECK(requireRoundTrip<EncKrbCredPart>(credPartDer) == credPart);
  const KrbCred cred{{sampleTicket()}, EncryptedData{0, std::nullopt, credPartDer}};
  const Bytes credDer = encode(cred);
  CHECK(credDer[0] == 0x76);
  const auto credBack = requireRoundTrip<KrbCred>(credDer);
  CHECK(credBack == cred);
  CHECK(credBack.tickets.at(0).raw == encode(sampleTicket()));
}
