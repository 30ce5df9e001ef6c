#include <catch2/catch.hpp>

#include "client/as_exchange.hpp"
#include "client/kdc_error.hpp"
#include "client/tgs_exchange.hpp"
#include "tests/client/fake_kdc.hpp"

using namespace kerbpool;
using client::Credential;
using test::FakeKdc;
namespace msg = core::messages;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1795392623) + core::Micros(5);

struct Fixture {
  core::ManualClock clock{kNow};
  core::SeededRng rng{11};
  FakeKdc kdc{clock};
  Credential tgt;

  Fixture() {
    kdc.addUser("alice", "pw");
    kdc.addService("HTTP/pool.kerbpool.test");
    auto user = client::parseUserPrincipal("alice", "KERBPOOL.TEST");
    REQUIRE(user.ok());
    client::AsExchange ex(*user, "pw", clock, rng);
    auto request = ex.firstRequest();
    REQUIRE(request.ok());
    for (;;) {
      auto reply = kdc.exchange(*request);
      REQUIRE(reply.ok());
      auto step = ex.handleReply(*reply);
      REQUIRE(step.ok());
      if (step->result) {
        tgt = step->result->credential;
        return;
      }
      *request = *step->nextRequest;
    }
  }

  client::Principal service(const std::string& spn = "HTTP/pool.kerbpool.test") {
    auto p = client::parseServicePrincipal(spn, "KERBPOOL.TEST");
    REQUIRE(p.ok());
    return *p;
  }
};

}  // namespace

TEST_CASE("TGS exchange: the TGS-REQ carries the TGT and a checksum over the exact req-body", "[client]") {
  Fixture f;
  auto req = client::buildTgsRequest(f.tgt, f.service(), f.clock, f.rng);
  REQUIRE(req.ok());
  auto decoded = msg::decode<msg::TgsReq>(req->bytes);
  REQUIRE(decoded.ok());
  const auto& body = decoded->reqBody;
  CHECK(body.raw == req->bodyDer);
  CHECK(body.kdcOptions == 0x40810000u);  // forwardable | renewable | canonicalize
  CHECK(body.sname->nameType == core::iana::NameType::KRB_NT_SRV_HST);
  CHECK(body.sname->nameString == std::vector<std::string>{"HTTP", "pool.kerbpool.test"});
  CHECK_FALSE(body.cname.has_value());
  CHECK(body.till == f.tgt.endtime);
  CHECK(body.rtime == f.tgt.renewTill);
  CHECK(body.etype == std::vector<std::int32_t>{18, 17});
  CHECK(body.nonce == req->nonce);

  REQUIRE(decoded->padata.has_value());
  const auto* pa = msg::findPaData(*decoded->padata, core::iana::PaType::PA_TGS_REQ);
  REQUIRE(pa != nullptr);
  auto apReq = msg::decode<msg::ApReq>(pa->padataValue);
  REQUIRE(apReq.ok());
  CHECK(apReq->apOptions == 0);
  CHECK(msg::encode(apReq->ticket) == f.tgt.ticketBytes);
  auto plain = core::crypto::decrypt(f.tgt.sessionKey, 7, apReq->authenticator.cipher);
  REQUIRE(plain.ok());
  auto auth = msg::decode<msg::Authenticator>(*plain);
  REQUIRE(auth.ok());
  CHECK(auth->crealm == "KERBPOOL.TEST");
  CHECK(auth->cname.nameString == std::vector<std::string>{"alice"});
  CHECK(auth->ctime == 1795392623);
  CHECK(auth->cusec == 5);
  CHECK_FALSE(auth->subkey.has_value());
  REQUIRE(auth->cksum.has_value());
  CHECK(auth->cksum->cksumtype == 16);  // hmac-sha1-96-aes256 for an aes256 session key
  CHECK(core::crypto::verifyChecksum(f.tgt.sessionKey, 6, 16, body.raw, auth->cksum->checksum).ok());
  // Usage 6 and nothing else: the same checksum with usage 10 does not verify.
  CHECK_FALSE(core::crypto::verifyChecksum(f.tgt.sessionKey, 10, 16, body.raw, auth->cksum->checksum).ok());
}

TEST_CASE("TGS exchange: the reply yields the service ticket, under the session key or the subkey",
          "[client]") {
  for (bool subkey : {false, true}) {
    Fixture f;
    client::TgsRequestOptions options;
    options.useSubkey = subkey;
    auto req = client::buildTgsRequest(f.tgt, f.service(), f.clock, f.rng, options);
    REQUIRE(req.ok());
    CHECK(req->subkey.has_value() == subkey);
    auto reply = f.kdc.exchange(req->bytes);
    REQUIRE(reply.ok());
    auto cred = client::processTgsReply(*req, f.tgt, *reply);
    INFO((cred.ok() ? "" : cred.error().message()));
    REQUIRE(cred.ok());
    CHECK(cred->server.text() == "HTTP/pool.kerbpool.test@KERBPOOL.TEST");
    CHECK(cred->client.text() == "alice@KERBPOOL.TEST");
    CHECK_FALSE(cred->isTgt());
    auto etp =
        core::crypto::decrypt(f.kdc.serviceKey("HTTP/pool.kerbpool.test"), 2, cred->ticket.encPart.cipher);
    REQUIRE(etp.ok());
    auto part = msg::decode<msg::EncTicketPart>(*etp);
    REQUIRE(part.ok());
    CHECK(part->key.keyvalue == cred->sessionKey.value);

    // The same reply checked with the other key choice fails integrity.
    client::TgsRequest wrongKey = *req;
    if (subkey) {
      wrongKey.subkey.reset();
    } else {
      wrongKey.subkey = test::requireKey(core::crypto::generateKey(18, f.rng));
    }
    auto bad = client::processTgsReply(wrongKey, f.tgt, *reply);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().category == core::ErrorCategory::Integrity);
  }
}

TEST_CASE("TGS exchange: unknown service is S_PRINCIPAL_UNKNOWN with the KDC's e-text", "[client]") {
  Fixture f;
  auto req = client::buildTgsRequest(f.tgt, f.service("HTTP/nope.kerbpool.test"), f.clock, f.rng);
  REQUIRE(req.ok());
  auto reply = f.kdc.exchange(req->bytes);
  REQUIRE(reply.ok());
  auto cred = client::processTgsReply(*req, f.tgt, *reply);
  REQUIRE_FALSE(cred.ok());
  CHECK(cred.error().category == core::ErrorCategory::NotFound);
  CHECK(cred.error().code == "kdc_err_s_principal_unknown");
  CHECK(client::krbErrorCode(cred.error()) == core::iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN);
  CHECK(client::krbErrorText(cred.error()) == "Server not found in Kerberos database");
  CHECK(cred.error().detail.find("KDC_ERR_S_PRINCIPAL_UNKNOWN (7, ") != std::string::npos);
  CHECK(cred.error().detail.find("HTTP/nope.kerbpool.test@KERBPOOL.TEST") != std::string::npos);
}

TEST_CASE("TGS exchange: mismatched replies are refused", "[client]") {
  Fixture f;
  auto req = client::buildTgsRequest(f.tgt, f.service(), f.clock, f.rng);
  REQUIRE(req.ok());
  auto reply = f.kdc.exchange(req->bytes);
  REQUIRE(reply.ok());

  SECTION("nonce") {
    client::TgsRequest other = *req;
    other.nonce ^= 1;
    auto r = client::processTgsReply(other, f.tgt, *reply);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "nonce_mismatch");
  }
  SECTION("sname") {
    client::TgsRequest other = *req;
    other.server = f.service("HTTP/other.kerbpool.test");
    auto r = client::processTgsReply(other, f.tgt, *reply);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "sname_mismatch");
  }
  SECTION("a cross-realm referral") {
    client::TgsRequest other = *req;
    other.server = f.service("HTTP/other.example.test@EXAMPLE.TEST");
    auto renewal = client::buildRenewalRequest(f.tgt, f.clock, f.rng);
    REQUIRE(renewal.ok());
    auto tgtReply = f.kdc.exchange(renewal->bytes);
    REQUIRE(tgtReply.ok());
    other.nonce = renewal->nonce;
    auto r = client::processTgsReply(other, f.tgt, *tgtReply);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "referral_not_followed");
  }
  SECTION("not a TGS-REP") {
    auto r = client::processTgsReply(*req, f.tgt, f.tgt.ticketBytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "unexpected_reply");
    auto truncated = core::Bytes(reply->begin(), reply->begin() + 20);
    auto t = client::processTgsReply(*req, f.tgt, truncated);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().category == core::ErrorCategory::Decoding);
  }
}

TEST_CASE("TGS exchange: renewal presents the TGT with the renew option", "[client]") {
  Fixture f;
  f.clock.advance(std::chrono::hours(9));
  auto req = client::buildRenewalRequest(f.tgt, f.clock, f.rng);
  REQUIRE(req.ok());
  auto decoded = msg::decode<msg::TgsReq>(req->bytes);
  REQUIRE(decoded.ok());
  CHECK((decoded->reqBody.kdcOptions & core::iana::kdc_options::renew) != 0);
  CHECK(decoded->reqBody.sname->nameString == std::vector<std::string>{"krbtgt", "KERBPOOL.TEST"});
  auto reply = f.kdc.exchange(req->bytes);
  REQUIRE(reply.ok());
  auto renewed = client::processTgsReply(*req, f.tgt, *reply);
  INFO((renewed.ok() ? "" : renewed.error().message()));
  REQUIRE(renewed.ok());
  CHECK(renewed->isTgt());
  CHECK(renewed->endtime > f.tgt.endtime);
  CHECK(renewed->authtime == f.tgt.authtime);
  CHECK(renewed->sessionKey.value != f.tgt.sessionKey.value);

  Credential notRenewable = f.tgt;
  notRenewable.flags = 0;
  auto refused = client::buildRenewalRequest(notRenewable, f.clock, f.rng);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "not_renewable");
}
