// Real bytes from MIT krb5 1.20 (kinit, kvno against krb5kdc): every Kerberos datagram of the reference
// capture decodes and re-encodes byte for byte, and the decoded values match the tshark dissection.
#include <catch2/catch.hpp>

#include "core/iana/error_code.hpp"
#include "core/iana/kdc_options.hpp"
#include "core/iana/pa_type.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/codec.hpp"
#include "core/messages/kdc_rep.hpp"
#include "core/messages/kdc_req.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/padata.hpp"
#include "tests/core/messages/test_helpers.hpp"
#include "tests/support/mit_capture.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::messages;
using kerbpool::test::requireRoundTrip;

TEST_CASE("MIT kinit/kvno capture: every KDC message round-trips", "[messages][capture]") {
  const auto d = kerbpool::test::mitCaptureKdcDatagrams();
  CHECK(peekMsgType(d[0]) == iana::MsgType::KRB_AS_REQ);
  CHECK(peekMsgType(d[1]) == iana::MsgType::KRB_ERROR);
  CHECK(peekMsgType(d[3]) == iana::MsgType::KRB_AS_REP);
  CHECK(peekMsgType(d[4]) == iana::MsgType::KRB_TGS_REQ);
  CHECK(peekMsgType(d[5]) == iana::MsgType::KRB_TGS_REP);

  SECTION("AS-REQ without pre-auth: MIT's empty PA-AS-FRESHNESS and PA-REQ-ENC-PA-REP") {
    const auto req = requireRoundTrip<AsReq>(d[0]);
    REQUIRE(req.padata.has_value());
    REQUIRE(req.padata->size() == 2);
    CHECK((*req.padata)[0] == PaData{iana::PaType::PA_AS_FRESHNESS, {}});
    CHECK((*req.padata)[1] == PaData{iana::PaType::PA_REQ_ENC_PA_REP, {}});
    CHECK(req.reqBody.cname == PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {"alice"}});
    CHECK(req.reqBody.sname == PrincipalName{iana::NameType::KRB_NT_SRV_INST, {"krbtgt", "CONTOSO.TEST"}});
    CHECK(req.reqBody.realm == "CONTOSO.TEST");
  }
  SECTION("KRB-ERROR PREAUTH_REQUIRED with METHOD-DATA e-data") {
    const auto err = requireRoundTrip<KrbError>(d[1]);
    CHECK(err.errorCode == iana::ErrorCode::KDC_ERR_PREAUTH_REQUIRED);
    CHECK(iana::rfcName(err.errorCode) == "KDC_ERR_PREAUTH_REQUIRED");
    CHECK(err.realm == "CONTOSO.TEST");
    auto md = methodData(err);
    INFO(kerbpool::test::failureText(md));
    REQUIRE(md.ok());
    const PaData* info = findPaData(*md, iana::PaType::PA_ETYPE_INFO2);
    REQUIRE(info != nullptr);
    const auto entries = requireRoundTrip<EtypeInfo2>(info->padataValue);
    REQUIRE_FALSE(entries.empty());
    CHECK(entries[0].salt == std::string("CONTOSO.TESTalice"));
    CHECK(findPaData(*md, iana::PaType::PA_ENC_TIMESTAMP) != nullptr);
    CHECK(findPaData(*md, iana::PaType::PA_FX_COOKIE) != nullptr);
  }
  SECTION("AS-REQ with PA-ENC-TIMESTAMP") {
    const auto req = requireRoundTrip<AsReq>(d[2]);
    REQUIRE(req.padata.has_value());
    const PaData* ts = findPaData(*req.padata, iana::PaType::PA_ENC_TIMESTAMP);
    REQUIRE(ts != nullptr);
    const auto enc = requireRoundTrip<EncryptedData>(ts->padataValue);
    CHECK(enc.etype == 18);
    CHECK_FALSE(enc.kvno.has_value());
  }
  SECTION("AS-REP") {
    const auto rep = requireRoundTrip<AsRep>(d[3]);
    CHECK(rep.crealm == "CONTOSO.TEST");
    CHECK(rep.cname == PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {"alice"}});
    CHECK(rep.ticket.sname == PrincipalName{iana::NameType::KRB_NT_SRV_INST, {"krbtgt", "CONTOSO.TEST"}});
    CHECK(rep.ticket.encPart.etype == 18);
    CHECK(rep.ticket.encPart.kvno == 1u);
    CHECK(rep.encPart.etype == 18);
    CHECK_FALSE(rep.encPart.kvno.has_value());
    CHECK(encode(rep.ticket) == rep.ticket.raw);
    REQUIRE(rep.padata.has_value());
    const auto info = requireRoundTrip<EtypeInfo2>((*rep.padata)[0].padataValue);
    CHECK(info == EtypeInfo2{{18, std::string("CONTOSO.TESTalice"), std::nullopt}});
  }
  SECTION("TGS-REQ: PA-TGS-REQ holds an AP-REQ; req-body raw bytes are the ones sent") {
    const auto req = requireRoundTrip<TgsReq>(d[4]);
    REQUIRE(req.padata.has_value());
    const PaData* tgs = findPaData(*req.padata, iana::PaType::PA_TGS_REQ);
    REQUIRE(tgs != nullptr);
    const auto apReq = requireRoundTrip<ApReq>(tgs->padataValue);
    CHECK(apReq.ticket.sname.nameString == std::vector<std::string>{"krbtgt", "CONTOSO.TEST"});
    // MIT kvno sends the service name as NT-PRINCIPAL, with canonicalize set.
    CHECK(req.reqBody.sname ==
          PrincipalName{iana::NameType::KRB_NT_PRINCIPAL, {"HTTP", "pool.contoso.test"}});
    CHECK(req.reqBody.kdcOptions == iana::kdc_options::canonicalize);
    CHECK(req.reqBody.nonce == 1630994810u);
    // req-body is the last field: its bytes end the message.
    REQUIRE(req.reqBody.raw.size() < d[4].size());
    CHECK(Bytes(d[4].end() - static_cast<std::ptrdiff_t>(req.reqBody.raw.size()), d[4].end()) ==
          req.reqBody.raw);
  }
  SECTION("TGS-REP") {
    const auto rep = requireRoundTrip<TgsRep>(d[5]);
    CHECK(rep.ticket.sname.nameString == std::vector<std::string>{"HTTP", "pool.contoso.test"});
    CHECK(rep.cname.nameString == std::vector<std::string>{"alice"});
  }
}
