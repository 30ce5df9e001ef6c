#include <catch2/catch.hpp>

#include "client/as_exchange.hpp"
#include "client/kdc_error.hpp"
#include "core/messages/ap_rep.hpp"
#include "tests/client/fake_kdc.hpp"

using namespace kerbpool;
using client::AsExchange;
using client::AsStep;
using client::parseUserPrincipal;
using test::FakeKdc;
namespace msg = core::messages;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1795392623) + core::Micros(250000);

client::Principal alice() {
  auto p = parseUserPrincipal("alice", "KERBPOOL.TEST");
  REQUIRE(p.ok());
  return *p;
}

// Runs the exchange against the fake KDC until it finishes or fails.
core::Result<client::AsResult> run(AsExchange& ex, FakeKdc& kdc) {
  KP_TRY(core::Bytes request, ex.firstRequest());
  for (int i = 0; i < 5; ++i) {
    KP_TRY(core::Bytes reply, kdc.exchange(request));
    KP_TRY(AsStep step, ex.handleReply(reply));
    if (step.result) {
      return *step.result;
    }
    request = *step.nextRequest;
  }
  return core::makeError(core::ErrorCategory::Internal, "loop", "exchange did not end");
}

std::string failure(const core::Error& e) {
  return e.message();
}

}  // namespace

TEST_CASE("AS exchange: the first AS-REQ is what MIT kinit sends without pre-authentication", "[client]") {
  core::ManualClock clock(kNow);
  core::SeededRng rng(1);
  AsExchange ex(alice(), "secret", clock, rng);
  auto bytes = ex.firstRequest();
  REQUIRE(bytes.ok());
  auto req = msg::decode<msg::AsReq>(*bytes);
  REQUIRE(req.ok());
  const auto& body = req->reqBody;
  CHECK(body.kdcOptions == 0x40810010u);  // forwardable | renewable | canonicalize | renewable-ok
  REQUIRE(body.cname.has_value());
  CHECK(body.cname->nameType == core::iana::NameType::KRB_NT_PRINCIPAL);
  CHECK(body.cname->nameString == std::vector<std::string>{"alice"});
  CHECK(body.realm == "KERBPOOL.TEST");
  REQUIRE(body.sname.has_value());
  CHECK(body.sname->nameType == core::iana::NameType::KRB_NT_SRV_INST);
  CHECK(body.sname->nameString == std::vector<std::string>{"krbtgt", "KERBPOOL.TEST"});
  CHECK(body.till == 1795392623 + 24 * 3600);
  CHECK(body.rtime == 1795392623 + 7 * 24 * 3600);
  CHECK(body.etype == std::vector<std::int32_t>{18, 17});
  CHECK(body.nonce != 0);
  CHECK(body.nonce < 0x80000000u);
  REQUIRE(req->padata.has_value());
  CHECK(msg::findPaData(*req->padata, core::iana::PaType::PA_ENC_TIMESTAMP) == nullptr);
  const auto* pac = msg::findPaData(*req->padata, core::iana::PaType::PA_PAC_REQUEST);
  REQUIRE(pac != nullptr);
  auto pacReq = msg::decode<msg::PaPacRequest>(pac->padataValue);
  REQUIRE(pacReq.ok());
  CHECK(pacReq->includePac);
}

TEST_CASE("AS exchange: PREAUTH_REQUIRED leads to PA-ENC-TIMESTAMP with the KDC's salt and iterations",
          "[client]") {
  core::ManualClock clock(kNow);
  core::SeededRng rng(2);
  FakeKdc kdc(clock);
  // A salt and iteration count that differ from the defaults: the key only works if both were used.
  kdc.addUser("alice", "Pa55-w0rd", "KERBPOOL.TESTsomethingelse", core::Bytes{0x00, 0x00, 0x13, 0x88});
  AsExchange ex(alice(), "Pa55-w0rd", clock, rng);

  auto first = ex.firstRequest();
  REQUIRE(first.ok());
  auto reply = kdc.exchange(*first);
  REQUIRE(reply.ok());
  auto step = ex.handleReply(*reply);
  REQUIRE(step.ok());
  REQUIRE(step->nextRequest.has_value());

  auto second = msg::decode<msg::AsReq>(*step->nextRequest);
  REQUIRE(second.ok());
  REQUIRE(second->padata.has_value());
  const auto* ts = msg::findPaData(*second->padata, core::iana::PaType::PA_ENC_TIMESTAMP);
  REQUIRE(ts != nullptr);
  auto enc = msg::decode<msg::EncryptedData>(ts->padataValue);
  REQUIRE(enc.ok());
  CHECK(enc->etype == 18);
  CHECK_FALSE(enc->kvno.has_value());
  auto plain = core::crypto::decrypt(kdc.userKey("alice", 18), 1, enc->cipher);
  REQUIRE(plain.ok());
  auto stamp = msg::decode<msg::PaEncTsEnc>(*plain);
  REQUIRE(stamp.ok());
  CHECK(stamp->patimestamp == 1795392623);
  CHECK(stamp->pausec == 250000);
  CHECK(second->reqBody.nonce != 0);

  auto asRep = kdc.exchange(*step->nextRequest);
  REQUIRE(asRep.ok());
  auto done = ex.handleReply(*asRep);
  INFO((done.ok() ? "" : failure(done.error())));
  REQUIRE(done.ok());
  REQUIRE(done->result.has_value());
  const auto& r = *done->result;
  CHECK(r.preauthUsed);
  CHECK_FALSE(r.skewCorrected);
  CHECK(r.requests == 2);
  const auto& c = r.credential;
  CHECK(c.client.text() == "alice@KERBPOOL.TEST");
  CHECK(c.server.text() == "krbtgt/KERBPOOL.TEST@KERBPOOL.TEST");
  CHECK(c.isTgt());
  CHECK(c.sessionKey.enctype == 18);
  CHECK(c.sessionKey.value.size() == 32);
  CHECK(c.authtime == 1795392623);
  CHECK(c.endtime == 1795392623 + 10 * 3600);
  CHECK(c.renewable());
  CHECK((c.flags & core::iana::ticket_flags::pre_authent) != 0);
  CHECK(c.ticketBytes == msg::encode(c.ticket));
  // The TGT really is sealed with the krbtgt key and carries the same session key.
  auto etp = core::crypto::decrypt(kdc.krbtgtKey(), 2, c.ticket.encPart.cipher);
  REQUIRE(etp.ok());
  auto part = msg::decode<msg::EncTicketPart>(*etp);
  REQUIRE(part.ok());
  CHECK(part->key.keyvalue == c.sessionKey.value);
}

TEST_CASE("AS exchange: AS-REP enc-part tagged 25 or 26 is accepted", "[client]") {
  for (auto tag : {msg::EncKdcRepPartTag::EncASRepPart, msg::EncKdcRepPartTag::EncTGSRepPart}) {
    core::ManualClock clock(kNow);
    core::SeededRng rng(3);
    FakeKdc kdc(clock);
    kdc.addUser("alice", "pw");
    kdc.asTag = tag;
    AsExchange ex(alice(), "pw", clock, rng);
    auto r = run(ex, kdc);
    INFO((r.ok() ? "" : failure(r.error())));
    CHECK(r.ok());
  }
}

TEST_CASE("AS exchange: without required pre-authentication the reply key comes from the default salt",
          "[client]") {
  core::ManualClock clock(kNow);
  core::SeededRng rng(4);
  FakeKdc kdc(clock);
  kdc.requirePreauth = false;
  kdc.addUser("alice", "pw");
  AsExchange ex(alice(), "pw", clock, rng);
  auto r = run(ex, kdc);
  REQUIRE(r.ok());
  CHECK_FALSE(r->preauthUsed);
  CHECK(r->requests == 1);

  // A wrong password then shows as an enc-part that does not decrypt.
  AsExchange wrong(alice(), "not-pw", clock, rng);
  auto bad = run(wrong, kdc);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category == core::ErrorCategory::Integrity);
  CHECK(bad.error().detail.find("AS-REP.enc-part") != std::string::npos);
}

TEST_CASE("AS exchange: KDC errors become typed errors with the RFC name", "[client]") {
  core::ManualClock clock(kNow);
  core::SeededRng rng(5);
  FakeKdc kdc(clock);
  kdc.addUser("alice", "pw");

  SECTION("wrong password: PREAUTH_FAILED") {
    AsExchange ex(alice(), "wrong", clock, rng);
    auto r = run(ex, kdc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "kdc_err_preauth_failed");
    CHECK(client::krbErrorCode(r.error()) == core::iana::ErrorCode::KDC_ERR_PREAUTH_FAILED);
    CHECK(r.error().detail.find("KDC_ERR_PREAUTH_FAILED (24") != std::string::npos);
    CHECK(r.error().category == core::ErrorCategory::Protocol);
  }
  SECTION("unknown user: C_PRINCIPAL_UNKNOWN with e-text") {
    auto bob = parseUserPrincipal("bob", "KERBPOOL.TEST");
    REQUIRE(bob.ok());
    AsExchange ex(*bob, "pw", clock, rng);
    auto r = run(ex, kdc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == core::ErrorCategory::NotFound);
    CHECK(client::krbErrorCode(r.error()) == core::iana::ErrorCode::KDC_ERR_C_PRINCIPAL_UNKNOWN);
    CHECK(client::krbErrorText(r.error()) == "Client not found in Kerberos database");
    CHECK(r.error().detail.find("bob@KERBPOOL.TEST") != std::string::npos);
  }
}

TEST_CASE("AS exchange: KRB_AP_ERR_SKEW is answered once with the KDC's time", "[client]") {
  core::ManualClock kdcClock(kNow);
  core::OffsetClock fast(kdcClock, std::chrono::minutes(10));
  core::SeededRng rng(6);
  FakeKdc kdc(kdcClock);
  kdc.addUser("alice", "pw");
  AsExchange ex(alice(), "pw", fast, rng);
  auto r = run(ex, kdc);
  INFO((r.ok() ? "" : failure(r.error())));
  REQUIRE(r.ok());
  CHECK(r->skewCorrected);
  CHECK(r->requests == 3);
  CHECK(r->clockOffset == -std::chrono::minutes(10));

  // A KDC that keeps complaining ends the exchange with the typed error.
  core::SeededRng rng2(7);
  AsExchange stubborn(alice(), "pw", fast, rng2);
  auto first = stubborn.firstRequest();
  REQUIRE(first.ok());
  const auto skew = test::makeKrbError(core::iana::ErrorCode::KRB_AP_ERR_SKEW, kNow + std::chrono::hours(3),
                                       "KERBPOOL.TEST", {});
  auto step = stubborn.handleReply(skew);
  REQUIRE(step.ok());
  REQUIRE(step->nextRequest.has_value());
  auto again = stubborn.handleReply(skew);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "krb_ap_err_skew");
}

TEST_CASE("AS exchange: malformed and mismatched replies are typed errors", "[client]") {
  core::ManualClock clock(kNow);
  core::SeededRng rng(8);
  FakeKdc kdc(clock);
  kdc.requirePreauth = false;
  kdc.addUser("alice", "pw");

  SECTION("garbage") {
    AsExchange ex(alice(), "pw", clock, rng);
    REQUIRE(ex.firstRequest().ok());
    auto r = ex.handleReply(core::Bytes{0x6b, 0x03, 0x30, 0x01});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == core::ErrorCategory::Decoding);
    auto empty = ex.handleReply(core::Bytes{});
    REQUIRE_FALSE(empty.ok());
  }
  SECTION("an AP-REP instead of an AS-REP") {
    AsExchange ex(alice(), "pw", clock, rng);
    REQUIRE(ex.firstRequest().ok());
    auto r =
        ex.handleReply(msg::encode(msg::ApRep{msg::EncryptedData{18, std::nullopt, core::Bytes(40, 1)}}));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "unexpected_reply");
  }
  SECTION("a reply to another request: nonce mismatch") {
    AsExchange ex(alice(), "pw", clock, rng);
    AsExchange other(alice(), "pw", clock, rng);
    REQUIRE(ex.firstRequest().ok());
    auto otherReq = other.firstRequest();
    REQUIRE(otherReq.ok());
    auto reply = kdc.exchange(*otherReq);
    REQUIRE(reply.ok());
    auto r = ex.handleReply(*reply);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "nonce_mismatch");
  }
  SECTION("a reply for another client") {
    kdc.addUser("mallory", "pw", "KERBPOOL.TESTalice");  // the same key as alice
    auto mallory = parseUserPrincipal("mallory", "KERBPOOL.TEST");
    REQUIRE(mallory.ok());
    AsExchange ex(alice(), "pw", clock, rng);
    auto req = ex.firstRequest();
    REQUIRE(req.ok());
    auto decoded = msg::decode<msg::AsReq>(*req);
    REQUIRE(decoded.ok());
    decoded->reqBody.cname->nameString = {"mallory"};
    auto reply = kdc.exchange(msg::encode(*decoded));
    REQUIRE(reply.ok());
    auto r = ex.handleReply(*reply);
    REQUIRE_FALSE(r.ok());
    // mallory's reply is sealed with a key equal to alice's, so it decrypts: the name check refuses it.
    CHECK(r.error().code == "cname_mismatch");
  }
}

TEST_CASE("AS exchange: ETYPE-INFO2 hints are validated", "[client]") {
  const auto me = alice();
  SECTION("only etypes the client did not ask for") {
    msg::EtypeInfo2 info{msg::EtypeInfo2Entry{23, std::nullopt, std::nullopt}};
    msg::MethodData md{msg::PaData{core::iana::PaType::PA_ETYPE_INFO2, msg::encode(info)}};
    auto r = client::selectPreauthHint(md, me, {18, 17});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "no_common_etype");
  }
  SECTION("the first entry the client asked for wins, the salt defaults to MIT's") {
    msg::EtypeInfo2 info{msg::EtypeInfo2Entry{23, std::nullopt, std::nullopt},
                         msg::EtypeInfo2Entry{17, std::nullopt, core::Bytes{0, 0, 0x10, 0}}};
    msg::MethodData md{msg::PaData{core::iana::PaType::PA_ETYPE_INFO2, msg::encode(info)}};
    auto r = client::selectPreauthHint(md, me, {18, 17});
    REQUIRE(r.ok());
    CHECK(r->etype == 17);
    CHECK(r->salt == "KERBPOOL.TESTalice");
  }
  SECTION("an iteration count of zero is refused") {
    core::ManualClock clock(kNow);
    core::SeededRng rng(9);
    AsExchange ex(me, "pw", clock, rng);
    REQUIRE(ex.firstRequest().ok());
    msg::EtypeInfo2 info{msg::EtypeInfo2Entry{18, std::string("salt"), core::Bytes{0, 0, 0, 0}}};
    msg::MethodData md{msg::PaData{core::iana::PaType::PA_ETYPE_INFO2, msg::encode(info)}};
    auto r = ex.handleReply(
        test::makeKrbError(core::iana::ErrorCode::KDC_ERR_PREAUTH_REQUIRED, kNow, "KERBPOOL.TEST", {}, md));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == core::ErrorCategory::Crypto);
  }
  SECTION("a malformed ETYPE-INFO2") {
    msg::MethodData md{msg::PaData{core::iana::PaType::PA_ETYPE_INFO2, core::Bytes{0x30, 0x05, 0x01}}};
    auto r = client::selectPreauthHint(md, me, {18});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == core::ErrorCategory::Decoding);
  }
}
