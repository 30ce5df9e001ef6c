#include <catch2/catch.hpp>

#include "client/ap_req_builder.hpp"
#include "client/kdc_error.hpp"
#include "core/crypto/primitives.hpp"
#include "core/iana/ap_options.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/messages/authenticator.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "core/spnego/oids.hpp"
#include "tests/client/fake_kdc.hpp"

using namespace kerbpool;
using client::Credential;
namespace msg = core::messages;
namespace spnego = core::spnego;

namespace {

const core::TimePoint kNow = core::fromUnixSeconds(1795392623) + core::Micros(777);

// A service credential whose ticket is sealed with a known service key.
struct ServiceTicket {
  core::SeededRng rng{21};
  core::crypto::Key serviceKey = test::requireKey(core::crypto::generateKey(18, rng));
  Credential cred;

  ServiceTicket() {
    cred.sessionKey = test::requireKey(core::crypto::generateKey(18, rng));
    cred.client = client::Principal{{core::iana::NameType::KRB_NT_PRINCIPAL, {"alice"}}, "KERBPOOL.TEST"};
    cred.server = client::Principal{{core::iana::NameType::KRB_NT_SRV_HST, {"HTTP", "pool.kerbpool.test"}},
                                    "KERBPOOL.TEST"};
    msg::EncTicketPart etp;
    etp.key = msg::EncryptionKey{18, cred.sessionKey.value};
    etp.crealm = "KERBPOOL.TEST";
    etp.cname = cred.client.name;
    etp.authtime = 1795392000;
    etp.endtime = 1795392000 + 36000;
    cred.ticket.realm = "KERBPOOL.TEST";
    cred.ticket.sname = cred.server.name;
    cred.ticket.encPart = msg::EncryptedData{
        18, 2, test::requireBytes(core::crypto::encrypt(serviceKey, 2, msg::encode(etp), rng))};
    cred.ticketBytes = msg::encode(cred.ticket);
    cred.endtime = etp.endtime;
  }
};

struct Decoded {
  msg::ApReq apReq;
  msg::Authenticator auth;
  spnego::GssChecksum gss;
};

// What an acceptor does with the mech token: unwrap, decrypt the ticket (usage 2) and the authenticator
// (usage 11), decode the 0x8003 checksum.
Decoded acceptorView(const ServiceTicket& st, core::BytesView krb5Token) {
  auto framed = spnego::unwrapKrb5Token(krb5Token);
  REQUIRE(framed.ok());
  CHECK(framed->tokId == spnego::TokId::ApReq);
  CHECK(spnego::oidEqual(framed->mechOid, spnego::krb5Oid()));
  auto apReq = msg::decode<msg::ApReq>(framed->message);
  REQUIRE(apReq.ok());
  auto etp = core::crypto::decrypt(st.serviceKey, 2, apReq->ticket.encPart.cipher);
  REQUIRE(etp.ok());
  auto ticketPart = msg::decode<msg::EncTicketPart>(*etp);
  REQUIRE(ticketPart.ok());
  const core::crypto::Key session{ticketPart->key.keytype, ticketPart->key.keyvalue};
  auto plain = core::crypto::decrypt(session, 11, apReq->authenticator.cipher);
  REQUIRE(plain.ok());
  auto auth = msg::decode<msg::Authenticator>(*plain);
  REQUIRE(auth.ok());
  REQUIRE(auth->cksum.has_value());
  CHECK(auth->cksum->cksumtype == 0x8003);
  auto gss = spnego::decodeGssChecksum(auth->cksum->checksum);
  REQUIRE(gss.ok());
  return Decoded{*apReq, *auth, *gss};
}

core::Bytes apRepToken(const core::crypto::Key& key, const msg::EncApRepPart& part, core::Rng& rng) {
  msg::ApRep rep{msg::EncryptedData{
      key.enctype, std::nullopt, test::requireBytes(core::crypto::encrypt(key, 12, msg::encode(part), rng))}};
  return spnego::wrapKrb5Token(spnego::TokId::ApRep, msg::encode(rep));
}

core::Bytes negTokenResp(core::Bytes responseToken,
                         spnego::NegState state = spnego::NegState::AcceptCompleted) {
  spnego::NegTokenResp resp;
  resp.negState = state;
  resp.supportedMech = core::Bytes(spnego::krb5Oid().begin(), spnego::krb5Oid().end());
  resp.responseToken = std::move(responseToken);
  return spnego::encodeNegTokenResp(resp);
}

}  // namespace

TEST_CASE("AP-REQ builder: SPNEGO NegTokenInit with a krb5 AP-REQ an acceptor can verify", "[client]") {
  ServiceTicket st;
  core::ManualClock clock(kNow);
  core::SeededRng rng(22);
  auto token = client::buildInitiatorToken(st.cred, clock, rng);
  REQUIRE(token.ok());

  auto initial = spnego::decodeInitialToken(token->token);
  REQUIRE(initial.ok());
  REQUIRE(initial->kind == spnego::InitialTokenKind::Spnego);
  const auto& init = *initial->negTokenInit;
  REQUIRE(init.mechTypes.size() == 1);
  CHECK(spnego::oidEqual(init.mechTypes[0], spnego::krb5Oid()));
  CHECK_FALSE(init.reqFlags.has_value());
  REQUIRE(init.mechToken.has_value());
  CHECK(*init.mechToken == token->krb5Token);

  const auto d = acceptorView(st, token->krb5Token);
  CHECK(d.apReq.apOptions == core::iana::ap_options::mutual_required);
  CHECK(msg::encode(d.apReq) == token->apReq);
  CHECK(d.auth.crealm == "KERBPOOL.TEST");
  CHECK(d.auth.cname.nameString == std::vector<std::string>{"alice"});
  CHECK(d.auth.ctime == 1795392623);
  CHECK(d.auth.cusec == 777);
  REQUIRE(d.auth.subkey.has_value());
  CHECK(d.auth.subkey->keytype == 18);
  CHECK(d.auth.subkey->keyvalue == token->context.subkey.value);
  REQUIRE(d.auth.seqNumber.has_value());
  CHECK(*d.auth.seqNumber == token->context.seqNumber);
  CHECK(*d.auth.seqNumber < 0x40000000u);
  CHECK(d.gss.flags == 0x3e);  // MUTUAL | REPLAY | SEQUENCE | CONF | INTEG
  CHECK(d.gss.bnd == std::array<std::uint8_t, 16>{});
  CHECK_FALSE(d.gss.krbCred.has_value());
  CHECK(token->context.mutual);
}

TEST_CASE("AP-REQ builder: options change the mech list the flags and the bindings", "[client]") {
  ServiceTicket st;
  core::ManualClock clock(kNow);
  core::SeededRng rng(23);

  SECTION("Windows order: MS-krb5 then krb5") {
    client::InitiatorOptions o;
    o.mechList = client::SpnegoMechList::MsKrb5First;
    auto token = client::buildInitiatorToken(st.cred, clock, rng, o);
    REQUIRE(token.ok());
    auto init = spnego::decodeInitialToken(token->token);
    REQUIRE(init.ok());
    REQUIRE(init->negTokenInit->mechTypes.size() == 2);
    CHECK(spnego::oidEqual(init->negTokenInit->mechTypes[0], spnego::msKrb5Oid()));
    CHECK(spnego::oidEqual(init->negTokenInit->mechTypes[1], spnego::krb5Oid()));
  }
  SECTION("a bare krb5 token without mutual authentication") {
    client::InitiatorOptions o;
    o.spnego = false;
    o.gssFlags = spnego::gss_flags::kInteg | spnego::gss_flags::kConf;
    auto token = client::buildInitiatorToken(st.cred, clock, rng, o);
    REQUIRE(token.ok());
    CHECK(token->token == token->krb5Token);
    const auto d = acceptorView(st, token->token);
    CHECK(d.apReq.apOptions == 0);
    CHECK(d.gss.flags == 0x30);
    CHECK_FALSE(token->context.mutual);
  }
  SECTION("channel bindings: Bnd is the MD5 of the flattened structure") {
    client::InitiatorOptions o;
    client::ChannelBindings cb;
    cb.applicationData = core::toBytes("tls-server-end-point:0123456789abcdef");
    o.channelBindings = cb;
    auto token = client::buildInitiatorToken(st.cred, clock, rng, o);
    REQUIRE(token.ok());
    const auto d = acceptorView(st, token->krb5Token);
    core::Bytes flat(16, 0);  // two zero address types and two empty addresses
    const auto n = static_cast<std::uint8_t>(cb.applicationData.size());
    flat.insert(flat.end(), {n, 0, 0, 0});
    core::append(flat, cb.applicationData);
    auto md5 = core::crypto::md5(flat);
    REQUIRE(md5.ok());
    CHECK(core::Bytes(d.gss.bnd.begin(), d.gss.bnd.end()) == *md5);
  }
  SECTION("delegation is never claimed without a KRB-CRED") {
    client::InitiatorOptions o;
    o.gssFlags |= spnego::gss_flags::kDeleg;
    auto token = client::buildInitiatorToken(st.cred, clock, rng, o);
    REQUIRE(token.ok());
    CHECK_FALSE(acceptorView(st, token->krb5Token).gss.has(spnego::gss_flags::kDeleg));
  }
}

TEST_CASE("AP-REQ builder: the acceptor's AP-REP completes mutual authentication", "[client]") {
  ServiceTicket st;
  core::ManualClock clock(kNow);
  core::SeededRng rng(24);
  auto token = client::buildInitiatorToken(st.cred, clock, rng);
  REQUIRE(token.ok());
  const auto& ctx = token->context;
  msg::EncApRepPart good{ctx.ctime, ctx.cusec, std::nullopt, 12345};

  SECTION("NegTokenResp without an acceptor subkey: the initiator subkey protects messages") {
    auto r = client::verifyAcceptorToken(ctx, negTokenResp(apRepToken(ctx.sessionKey, good, rng)));
    INFO((r.ok() ? "" : r.error().message()));
    REQUIRE(r.ok());
    CHECK_FALSE(r->acceptorSubkey.has_value());
    CHECK(r->acceptorSeqNumber == 12345u);
    CHECK(r->contextKey.value == ctx.subkey.value);
  }
  SECTION("a bare krb5 AP-REP token with an acceptor subkey") {
    msg::EncApRepPart withSubkey = good;
    const auto sub = test::requireKey(core::crypto::generateKey(18, rng));
    withSubkey.subkey = msg::EncryptionKey{sub.enctype, sub.value};
    auto r = client::verifyAcceptorToken(ctx, apRepToken(ctx.sessionKey, withSubkey, rng));
    REQUIRE(r.ok());
    REQUIRE(r->acceptorSubkey.has_value());
    CHECK(r->contextKey.value == sub.value);
  }
  SECTION("ctime/cusec that do not repeat the authenticator's") {
    msg::EncApRepPart bad = good;
    bad.cusec += 1;
    auto r = client::verifyAcceptorToken(ctx, negTokenResp(apRepToken(ctx.sessionKey, bad, rng)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "mutual_auth_failed");
  }
  SECTION("an AP-REP under another key") {
    auto r = client::verifyAcceptorToken(ctx, negTokenResp(apRepToken(ctx.subkey, good, rng)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category == core::ErrorCategory::Integrity);
  }
  SECTION("reject") {
    auto r = client::verifyAcceptorToken(
        ctx, negTokenResp(apRepToken(ctx.sessionKey, good, rng), spnego::NegState::Reject));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "spnego_reject");
  }
  SECTION("no response token") {
    spnego::NegTokenResp resp;
    resp.negState = spnego::NegState::AcceptCompleted;
    auto r = client::verifyAcceptorToken(ctx, spnego::encodeNegTokenResp(resp));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "no_response_token");
  }
  SECTION("a KRB-ERROR token from the acceptor") {
    const auto err = test::makeKrbError(core::iana::ErrorCode::KRB_AP_ERR_SKEW, kNow, "KERBPOOL.TEST",
                                        st.cred.server.name);
    auto r = client::verifyAcceptorToken(
        ctx, negTokenResp(spnego::wrapKrb5Token(spnego::TokId::KrbError, err), spnego::NegState::Reject));
    REQUIRE_FALSE(r.ok());
    // reject is reported first; without negState the KRB-ERROR itself comes through
    spnego::NegTokenResp resp;
    resp.responseToken = spnego::wrapKrb5Token(spnego::TokId::KrbError, err);
    auto e = client::verifyAcceptorToken(ctx, spnego::encodeNegTokenResp(resp));
    REQUIRE_FALSE(e.ok());
    CHECK(client::krbErrorCode(e.error()) == core::iana::ErrorCode::KRB_AP_ERR_SKEW);
  }
  SECTION("garbage") {
    CHECK_FALSE(client::verifyAcceptorToken(ctx, core::Bytes{}).ok());
    CHECK_FALSE(client::verifyAcceptorToken(ctx, core::Bytes{0xa1, 0x03, 0x30, 0x01, 0x00}).ok());
    CHECK_FALSE(client::verifyAcceptorToken(ctx, core::Bytes{0x60, 0x02, 0x06, 0x00}).ok());
  }
}
