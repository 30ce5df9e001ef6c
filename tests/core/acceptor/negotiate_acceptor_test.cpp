#include <catch2/catch.hpp>

#include "core/acceptor/negotiate_acceptor.hpp"
#include "core/common/base64.hpp"
#include "core/der/der_oid.hpp"
#include "core/iana/key_usage.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/krb_error.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/gss_tokens.hpp"
#include "core/spnego/neg_token.hpp"
#include "tests/core/acceptor/test_kdc.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::acceptor;
using namespace kerbpool::test;
using spnego::NegState;
using spnego::NegTokenResp;

namespace {

const Bytes kNtlmNegotiate = toBytes(std::string("NTLMSSP\0\1\0\0\0\x07\x82\x08\xa2", 16));

Bytes negoExOid() {
  auto oid = der::oidFromString("1.3.6.1.4.1.311.2.2.30");
  REQUIRE(oid.has_value());
  return *oid;
}

struct Node {
  crypto::Key poolKey = makeKey(18, 100);
  AcceptorKeys keys;
  ManualClock clock{fromUnixSeconds(kTestEpoch)};
  ReplayCache cache{clock};
  SeededRng rng{5};
  NegotiateOptions options;

  Node() { keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 3, poolKey}); }

  IssuedTicket ticket() const {
    TicketSpec t;
    t.serviceKey = poolKey;
    return issueTicket(t);
  }

  NegotiateOutcome accept(const Bytes& token, const NegotiateState* state = nullptr) {
    return acceptNegotiate(token, keys, cache, clock, rng, options, state);
  }
  NegotiateOutcome acceptHeader(std::string_view value) {
    return acceptNegotiateHeader(value, keys, cache, clock, rng, options);
  }
};

// The outcome's alternative, by value (the outcome is usually a temporary).
template <class T>
T as(NegotiateOutcome o) {
  if (const auto* rejected = std::get_if<NegotiateRejected>(&o)) {
    INFO("rejected: " << rejected->error.message());
    REQUIRE(std::holds_alternative<T>(o));
  }
  REQUIRE(std::holds_alternative<T>(o));
  return std::get<T>(std::move(o));
}

NegTokenResp respOf(const Bytes& token) {
  auto r = spnego::decodeNegTokenResp(token);
  REQUIRE(r.ok());
  return *r;
}

messages::EncApRepPart openApRepToken(const Bytes& krb5Token, const crypto::Key& sessionKey) {
  auto t = spnego::unwrapKrb5Token(krb5Token);
  REQUIRE(t.ok());
  REQUIRE(t->tokId == spnego::TokId::ApRep);
  auto apRep = messages::decode<messages::ApRep>(t->message);
  REQUIRE(apRep.ok());
  auto plain =
      crypto::decrypt(sessionKey, iana::toUsage(iana::KeyUsage::AP_REP_ENCPART), apRep->encPart.cipher);
  REQUIRE(plain.ok());
  auto part = messages::decode<messages::EncApRepPart>(*plain);
  REQUIRE(part.ok());
  return *part;
}

messages::KrbError krbErrorOf(const Bytes& krb5Token) {
  auto t = spnego::unwrapKrb5Token(krb5Token);
  REQUIRE(t.ok());
  REQUIRE(t->tokId == spnego::TokId::KrbError);
  auto e = messages::decode<messages::KrbError>(t->message);
  REQUIRE(e.ok());
  return *e;
}

Bytes clientMic(const crypto::Key& key, bool acceptorSubkey, const std::vector<Bytes>& mechTypes) {
  spnego::TokenParams p;
  p.sender = spnego::GssRole::Initiator;
  p.acceptorSubkey = acceptorSubkey;
  p.sndSeq = 0x1234567;
  auto mic = spnego::makeMicToken(key, p, spnego::encodeMechTypeList(mechTypes));
  REQUIRE(mic.ok());
  return *mic;
}

Bytes clientResp(std::optional<Bytes> token, std::optional<Bytes> mic) {
  NegTokenResp r;
  r.responseToken = std::move(token);
  r.mechListMic = std::move(mic);
  return spnego::encodeNegTokenResp(r);
}

}  // namespace

TEST_CASE("Negotiate: SPNEGO krb5 with mutual authentication", "[acceptor][negotiate]") {
  Node node;
  const ClientRequest req = makeRequest(node.ticket());
  const auto& ok = as<NegotiateAccepted>(node.accept(req.spnegoToken));
  CHECK(ok.context.clientPrincipal == "alice@CONTOSO.TEST");
  CHECK(ok.spnego);
  CHECK(spnego::oidEqual(ok.mechOid, spnego::krb5Oid()));
  REQUIRE(ok.responseToken.has_value());
  const NegTokenResp resp = respOf(*ok.responseToken);
  CHECK(resp.negState == NegState::AcceptCompleted);
  REQUIRE(resp.supportedMech.has_value());
  CHECK(spnego::oidEqual(*resp.supportedMech, spnego::krb5Oid()));
  CHECK_FALSE(resp.mechListMic.has_value());
  REQUIRE(resp.responseToken.has_value());
  const auto part = openApRepToken(*resp.responseToken, req.sessionKey);
  CHECK(part.ctime == req.authenticator.ctime);
  CHECK(part.cusec == req.authenticator.cusec);
  REQUIRE(part.subkey.has_value());
  CHECK(ok.contextKeyIsAcceptorSubkey);
  CHECK(ok.contextKey.value == part.subkey->keyvalue);
  CHECK(part.seqNumber == ok.acceptorSeqNumber);

  SECTION("the same token again is a replay") {
    const auto& again = as<NegotiateRejected>(node.accept(req.spnegoToken));
    CHECK(again.error.code == "replay");
    REQUIRE(again.responseToken.has_value());
    const NegTokenResp r = respOf(*again.responseToken);
    CHECK(r.negState == NegState::Reject);
    CHECK(krbErrorOf(*r.responseToken).errorCode == iana::ErrorCode::KRB_AP_ERR_REPEAT);
  }
  SECTION("a new authenticator for the same ticket is accepted") {
    ClientSpec next;
    next.cusec = 1;
    next.seed = 99;
    as<NegotiateAccepted>(node.accept(makeRequest(node.ticket(), next).spnegoToken));
  }
  SECTION("through the Authorization header value") {
    ReplayCache fresh(node.clock);
    auto o = acceptNegotiateHeader("Negotiate " + base64Encode(req.spnegoToken), node.keys, fresh, node.clock,
                                   node.rng);
    CHECK(as<NegotiateAccepted>(o).context.clientPrincipal == "alice@CONTOSO.TEST");
  }
}

TEST_CASE("Negotiate: MS-krb5 listed first is echoed as supportedMech", "[acceptor][negotiate]") {
  Node node;
  const ClientRequest req = makeRequest(node.ticket());
  const Bytes token =
      spnegoInit({oidBytes(spnego::msKrb5Oid()), oidBytes(spnego::krb5Oid()), oidBytes(spnego::ntlmsspOid())},
                 req.krb5Token);
  const auto& ok = as<NegotiateAccepted>(node.accept(token));
  CHECK(spnego::oidEqual(ok.mechOid, spnego::msKrb5Oid()));
  const NegTokenResp resp = respOf(*ok.responseToken);
  CHECK(spnego::oidEqual(*resp.supportedMech, spnego::msKrb5Oid()));
  CHECK_FALSE(resp.mechListMic.has_value());  // first choice taken: no MIC needed
  // The AP-REP token is framed with the OID of the client's krb5 token.
  auto inner = spnego::unwrapKrb5Token(*resp.responseToken);
  REQUIRE(inner.ok());
  CHECK(spnego::oidEqual(inner->mechOid, spnego::krb5Oid()));
}

TEST_CASE("Negotiate: bare krb5 token gets a bare AP-REP", "[acceptor][negotiate]") {
  Node node;
  const ClientRequest req = makeRequest(node.ticket());
  const auto& ok = as<NegotiateAccepted>(node.accept(req.krb5Token));
  CHECK_FALSE(ok.spnego);
  REQUIRE(ok.responseToken.has_value());
  CHECK(openApRepToken(*ok.responseToken, req.sessionKey).cusec == req.authenticator.cusec);

  SECTION("and a bare KRB-ERROR when refused") {
    const auto& no = as<NegotiateRejected>(node.accept(req.krb5Token));
    CHECK(no.error.code == "replay");
    REQUIRE(no.responseToken.has_value());
    CHECK(krbErrorOf(*no.responseToken).errorCode == iana::ErrorCode::KRB_AP_ERR_REPEAT);
  }
}

TEST_CASE("Negotiate: no mutual authentication means no response token", "[acceptor][negotiate]") {
  Node node;
  ClientSpec c;
  c.apOptions = 0;
  c.gssFlags = spnego::gss_flags::kInteg | spnego::gss_flags::kConf;
  const auto& ok = as<NegotiateAccepted>(node.accept(makeRequest(node.ticket(), c).spnegoToken));
  CHECK_FALSE(ok.context.mutualRequested);
  CHECK_FALSE(ok.responseToken.has_value());
  CHECK_FALSE(ok.contextKeyIsAcceptorSubkey);
  CHECK(ok.acceptorSeqNumber == 0x1234567u);
}

TEST_CASE("Negotiate: refusals carry a KRB-ERROR inside a SPNEGO reject", "[acceptor][negotiate]") {
  Node node;
  SECTION("key on another node only") {
    AcceptorKeys fe02;
    fe02.add({{"HOST/fe02.contoso.test", "HTTP/fe02.contoso.test"}, "CONTOSO.TEST", 5, makeKey(18, 7)});
    auto o = acceptNegotiate(makeRequest(node.ticket()).spnegoToken, fe02, node.cache, node.clock, node.rng);
    const auto& no = as<NegotiateRejected>(o);
    CHECK(no.error.code == "no_key_for_spn");
    CHECK(no.error.detail.find("no key for HTTP/pool.contoso.test (kvno 3, aes256-cts-hmac-sha1-96)") == 0);
    const NegTokenResp r = respOf(*no.responseToken);
    CHECK(r.negState == NegState::Reject);
    const messages::KrbError e = krbErrorOf(*r.responseToken);
    CHECK(e.errorCode == iana::ErrorCode::KRB_AP_ERR_NOKEY);
    CHECK(e.realm == "CONTOSO.TEST");
    CHECK(e.sname.nameString == std::vector<std::string>{"HTTP", "pool.contoso.test"});
    // The e-text is generic: the node's key list stays in the detail, for the node's log.
    CHECK(e.eText == std::string("Service key not available"));
  }
  SECTION("clock six minutes off: the KRB-ERROR gives the server time") {
    node.clock.advance(std::chrono::minutes(6));
    const auto& no = as<NegotiateRejected>(node.accept(makeRequest(node.ticket()).spnegoToken));
    CHECK(no.error.code == "clock_skew");
    const messages::KrbError e = krbErrorOf(*respOf(*no.responseToken).responseToken);
    CHECK(e.errorCode == iana::ErrorCode::KRB_AP_ERR_SKEW);
    CHECK(e.stime == kTestEpoch + 360);
  }
  SECTION("tampered ticket") {
    ClientRequest req = makeRequest(node.ticket());
    auto apReq = messages::decode<messages::ApReq>(req.apReq);
    REQUIRE(apReq.ok());
    apReq->ticket.encPart.cipher[20] ^= 1;
    const Bytes token = spnegoInit({oidBytes(spnego::krb5Oid())},
                                   spnego::wrapKrb5Token(spnego::TokId::ApReq, messages::encode(*apReq)));
    const auto& no = as<NegotiateRejected>(node.accept(token));
    CHECK(no.error.code == "bad_integrity");
    CHECK(krbErrorOf(*respOf(*no.responseToken).responseToken).errorCode ==
          iana::ErrorCode::KRB_AP_ERR_BAD_INTEGRITY);
  }
  SECTION("old kvno") {
    node.keys = AcceptorKeys{};
    node.keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 4, makeKey(18, 104)});
    const auto& no = as<NegotiateRejected>(node.accept(makeRequest(node.ticket()).spnegoToken));
    CHECK(no.error.code == "no_key_for_kvno");
    CHECK(krbErrorOf(*respOf(*no.responseToken).responseToken).errorCode ==
          iana::ErrorCode::KRB_AP_ERR_BADKEYVER);
  }
}

TEST_CASE("Negotiate: garbage and truncated tokens are refused at every length", "[acceptor][negotiate]") {
  Node node;
  for (std::string_view bad :
       {"Negotiate", "Negotiate !!!!", "Negotiate YWJj=", "Negotiate YW Jj", "Basic YWxpY2U6cGFzcw==",
        "Negotiate "
        "AAAA",
        ""}) {
    const auto& no = as<NegotiateRejected>(node.acceptHeader(bad));
    CHECK(no.error.code == "malformed_token");
    CHECK_FALSE(no.responseToken.has_value());
  }
  const ClientRequest req = makeRequest(node.ticket());
  for (const Bytes* full : {&req.spnegoToken, &req.krb5Token}) {
    for (std::size_t n = 0; n < full->size(); ++n) {
      const Bytes cut(full->begin(), full->begin() + static_cast<std::ptrdiff_t>(n));
      auto o = node.acceptHeader("Negotiate " + base64Encode(cut));
      const auto* no = std::get_if<NegotiateRejected>(&o);
      REQUIRE(no != nullptr);
      CHECK(no->error.code == "malformed_token");
    }
  }
  CHECK(node.cache.size() == 0);
  // The whole token still works afterwards.
  as<NegotiateAccepted>(node.acceptHeader("Negotiate " + base64Encode(req.spnegoToken)));
}

TEST_CASE("Negotiate: SPNEGO with a krb5 token that is not an AP-REQ", "[acceptor][negotiate]") {
  Node node;
  const Bytes krbError = spnego::wrapKrb5Token(
      spnego::TokId::KrbError, messages::encode(messages::KrbError{std::nullopt,
                                                                   std::nullopt,
                                                                   0,
                                                                   0,
                                                                   iana::ErrorCode::KRB_ERR_GENERIC,
                                                                   std::nullopt,
                                                                   std::nullopt,
                                                                   "R",
                                                                   {},
                                                                   std::nullopt,
                                                                   std::nullopt}));
  const auto& no = as<NegotiateRejected>(node.accept(spnegoInit({oidBytes(spnego::krb5Oid())}, krbError)));
  CHECK(no.error.code == "malformed_token");
  CHECK(respOf(*no.responseToken).negState == NegState::Reject);

  const auto& empty = as<NegotiateRejected>(node.accept(spnegoInit({}, std::nullopt)));
  CHECK(empty.error.code == "malformed_token");
}

TEST_CASE("Negotiate: NTLMSSP raw or in SPNEGO goes to the NTLM module", "[acceptor][negotiate]") {
  Node node;
  const auto& raw = as<NegotiateNtlm>(node.accept(kNtlmNegotiate));
  CHECK(raw.ntlmMessage == kNtlmNegotiate);
  CHECK_FALSE(raw.wrappedInSpnego);
  CHECK(raw.scheme == spnego::AuthScheme::Negotiate);

  const std::vector<Bytes> mechs{oidBytes(spnego::ntlmsspOid()), oidBytes(spnego::krb5Oid())};
  const auto& wrapped = as<NegotiateNtlm>(node.accept(spnegoInit(mechs, kNtlmNegotiate)));
  CHECK(wrapped.ntlmMessage == kNtlmNegotiate);
  CHECK(wrapped.wrappedInSpnego);
  CHECK(wrapped.mechTypesDer == spnego::encodeMechTypeList(mechs));

  const auto& header = as<NegotiateNtlm>(node.acceptHeader("NTLM " + base64Encode(kNtlmNegotiate)));
  CHECK(header.scheme == spnego::AuthScheme::Ntlm);
  CHECK(header.ntlmMessage == kNtlmNegotiate);

  SECTION("NTLM listed second with an unknown first mech") {
    const auto& second = as<NegotiateNtlm>(
        node.accept(spnegoInit({negoExOid(), oidBytes(spnego::ntlmsspOid())}, Bytes{1, 2, 3})));
    CHECK(second.ntlmMessage.empty());
    CHECK(second.wrappedInSpnego);
  }
  SECTION("a Kerberos-only node") {
    node.options.acceptNtlm = false;
    CHECK(as<NegotiateRejected>(node.accept(kNtlmNegotiate)).error.code == "no_common_mech");
    // NTLMSSP first but krb5 listed: krb5 is selected instead.
    const auto& more = as<NegotiateContinue>(node.accept(spnegoInit(mechs, kNtlmNegotiate)));
    CHECK(spnego::oidEqual(*respOf(more.responseToken).supportedMech, spnego::krb5Oid()));
    CHECK(more.state.micRequired);
  }
}

TEST_CASE("Negotiate: nothing in common", "[acceptor][negotiate]") {
  Node node;
  const auto& no = as<NegotiateRejected>(node.accept(spnegoInit({negoExOid()}, Bytes{1})));
  CHECK(no.error.code == "no_common_mech");
  CHECK(no.error.detail == "the client offers 1.3.6.1.4.1.311.2.2.30; this acceptor takes Kerberos and NTLM");
  CHECK(respOf(*no.responseToken).negState == NegState::Reject);
}

TEST_CASE("Negotiate: optimistic krb5 with the client's mechListMIC", "[acceptor][negotiate]") {
  Node node;
  const ClientRequest req = makeRequest(node.ticket());
  const std::vector<Bytes> mechs{oidBytes(spnego::krb5Oid()), oidBytes(spnego::ntlmsspOid())};

  SECTION("a good MIC is answered with ours") {
    const Bytes token = spnegoInit(mechs, req.krb5Token, clientMic(*req.subkey, false, mechs));
    const auto& ok = as<NegotiateAccepted>(node.accept(token));
    const NegTokenResp resp = respOf(*ok.responseToken);
    CHECK(resp.negState == NegState::AcceptCompleted);
    REQUIRE(resp.mechListMic.has_value());
    const auto part = openApRepToken(*resp.responseToken, req.sessionKey);
    const crypto::Key acceptorSubkey{part.subkey->keytype, part.subkey->keyvalue};
    auto verified = spnego::verifyMicToken(acceptorSubkey, spnego::GssRole::Acceptor,
                                           spnego::encodeMechTypeList(mechs), *resp.mechListMic);
    REQUIRE(verified.ok());
    CHECK((verified->flags & spnego::token_flags::kAcceptorSubkey) != 0);
    CHECK(verified->sndSeq == *part.seqNumber);
  }
  SECTION("a MIC over another mech list is refused") {
    const Bytes token =
        spnegoInit(mechs, req.krb5Token, clientMic(*req.subkey, false, {oidBytes(spnego::krb5Oid())}));
    const auto& no = as<NegotiateRejected>(node.accept(token));
    CHECK(no.error.code == "bad_mech_list_mic");
    CHECK(respOf(*no.responseToken).negState == NegState::Reject);
  }
  SECTION("a MIC that claims an acceptor subkey before any AP-REP") {
    const Bytes token = spnegoInit(mechs, req.krb5Token, clientMic(*req.subkey, true, mechs));
    CHECK(as<NegotiateRejected>(node.accept(token)).error.code == "bad_mech_list_mic");
  }
  SECTION("garbage instead of a MIC") {
    const Bytes token = spnegoInit(mechs, req.krb5Token, Bytes{4, 4, 0});
    CHECK(as<NegotiateRejected>(node.accept(token)).error.code == "bad_mech_list_mic");
  }
}

TEST_CASE("Negotiate: Kerberos listed after an unknown first mech takes three legs with both MICs",
          "[acceptor][negotiate]") {
  Node node;
  const ClientRequest req = makeRequest(node.ticket());
  const std::vector<Bytes> mechs{negoExOid(), oidBytes(spnego::krb5Oid())};

  // Leg 1: the optimistic token is for NegoEx; the acceptor selects krb5.
  const NegotiateContinue leg1 = as<NegotiateContinue>(node.accept(spnegoInit(mechs, Bytes{0xde, 0xad})));
  const NegTokenResp r1 = respOf(leg1.responseToken);
  CHECK(r1.negState == NegState::AcceptIncomplete);
  CHECK(spnego::oidEqual(*r1.supportedMech, spnego::krb5Oid()));
  CHECK_FALSE(r1.responseToken.has_value());
  CHECK(leg1.state.micRequired);
  CHECK(leg1.state.mechTypesDer == spnego::encodeMechTypeList(mechs));

  // Leg 2: the AP-REQ, no MIC yet (the client needs the AP-REP first).
  const NegotiateContinue leg2 =
      as<NegotiateContinue>(node.accept(clientResp(req.krb5Token, std::nullopt), &leg1.state));
  const NegTokenResp r2 = respOf(leg2.responseToken);
  CHECK(r2.negState == NegState::AcceptIncomplete);
  CHECK_FALSE(r2.supportedMech.has_value());
  REQUIRE(r2.responseToken.has_value());
  REQUIRE(r2.mechListMic.has_value());
  const auto part = openApRepToken(*r2.responseToken, req.sessionKey);
  const crypto::Key acceptorSubkey{part.subkey->keytype, part.subkey->keyvalue};
  REQUIRE(spnego::verifyMicToken(acceptorSubkey, spnego::GssRole::Acceptor, spnego::encodeMechTypeList(mechs),
                                 *r2.mechListMic)
              .ok());
  REQUIRE(leg2.state.pending.has_value());

  SECTION("leg 3: the client's MIC completes the context") {
    const Bytes mic = clientMic(acceptorSubkey, true, mechs);
    const auto& done = as<NegotiateAccepted>(node.accept(clientResp(std::nullopt, mic), &leg2.state));
    CHECK(done.context.clientPrincipal == "alice@CONTOSO.TEST");
    CHECK(respOf(*done.responseToken).negState == NegState::AcceptCompleted);
  }
  SECTION("leg 3 without the MIC is refused") {
    const auto& no = as<NegotiateRejected>(node.accept(clientResp(std::nullopt, std::nullopt), &leg2.state));
    CHECK(no.error.code == "bad_mech_list_mic");
  }
  SECTION("leg 3 with a MIC under the wrong key is refused") {
    const Bytes mic = clientMic(*req.subkey, false, mechs);
    CHECK(as<NegotiateRejected>(node.accept(clientResp(std::nullopt, mic), &leg2.state)).error.code ==
          "bad_mech_list_mic");
  }
  SECTION("a later leg that is not a NegTokenResp") {
    CHECK(as<NegotiateRejected>(node.accept(req.spnegoToken, &leg1.state)).error.code == "malformed_token");
    CHECK(
        as<NegotiateRejected>(node.accept(clientResp(std::nullopt, std::nullopt), &leg1.state)).error.code ==
        "malformed_token");
  }
}

TEST_CASE("Negotiate: krb5 first without a mechToken is selected in a second leg", "[acceptor][negotiate]") {
  Node node;
  const ClientRequest req = makeRequest(node.ticket());
  const NegotiateContinue leg1 =
      as<NegotiateContinue>(node.accept(spnegoInit({oidBytes(spnego::msKrb5Oid())}, std::nullopt)));
  CHECK(spnego::oidEqual(*respOf(leg1.responseToken).supportedMech, spnego::msKrb5Oid()));
  CHECK_FALSE(leg1.state.micRequired);
  const auto& done = as<NegotiateAccepted>(node.accept(clientResp(req.krb5Token, std::nullopt), &leg1.state));
  CHECK(spnego::oidEqual(done.mechOid, spnego::msKrb5Oid()));
  const NegTokenResp r = respOf(*done.responseToken);
  CHECK(r.negState == NegState::AcceptCompleted);
  CHECK_FALSE(r.supportedMech.has_value());
  CHECK_FALSE(r.mechListMic.has_value());
  CHECK(openApRepToken(*r.responseToken, req.sessionKey).ctime == kTestEpoch);
}
