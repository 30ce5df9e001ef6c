#include <catch2/catch.hpp>

#include "core/acceptor/ap_rep_builder.hpp"
#include "core/acceptor/ap_req_verifier.hpp"
#include "core/iana/key_usage.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/spnego/gss_framing.hpp"
#include "tests/core/acceptor/test_kdc.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::acceptor;
using namespace kerbpool::test;

namespace {

AcceptedContext acceptedContext(bool subkey) {
  const crypto::Key poolKey = makeKey(18, 100);
  AcceptorKeys keys;
  keys.add({{"HTTP/pool.contoso.test"}, "CONTOSO.TEST", 3, poolKey});
  ManualClock clock(fromUnixSeconds(kTestEpoch));
  ReplayCache cache(clock);
  TicketSpec spec;
  spec.serviceKey = poolKey;
  ClientSpec client;
  client.subkey = subkey;
  auto ctx = verifyApReq(makeRequest(issueTicket(spec), client).apReq, keys, cache, clock);
  REQUIRE(ctx.ok());
  return *ctx;
}

messages::EncApRepPart openApRep(const Bytes& apRepDer, const crypto::Key& sessionKey) {
  auto apRep = messages::decode<messages::ApRep>(apRepDer);
  REQUIRE(apRep.ok());
  CHECK_FALSE(apRep->encPart.kvno.has_value());
  auto plain =
      crypto::decrypt(sessionKey, iana::toUsage(iana::KeyUsage::AP_REP_ENCPART), apRep->encPart.cipher);
  REQUIRE(plain.ok());
  auto part = messages::decode<messages::EncApRepPart>(*plain);
  REQUIRE(part.ok());
  return *part;
}

}  // namespace

TEST_CASE("AP-REP builder: ctime and cusec repeated with a fresh acceptor subkey", "[acceptor][ap_rep]") {
  const AcceptedContext ctx = acceptedContext(true);
  SeededRng rng(3);
  auto built = buildApRep(ctx, rng);
  REQUIRE(built.ok());
  const messages::EncApRepPart part = openApRep(built->apRep, ctx.sessionKey);
  CHECK(part.ctime == kTestEpoch);
  CHECK(part.cusec == 123456);
  REQUIRE(part.subkey.has_value());
  REQUIRE(built->acceptorSubkey.has_value());
  CHECK(part.subkey->keytype == 18);
  CHECK(part.subkey->keyvalue == built->acceptorSubkey->value);
  CHECK(part.subkey->keyvalue != ctx.sessionKey.value);
  CHECK(part.subkey->keyvalue != ctx.initiatorSubkey->value);
  REQUIRE(part.seqNumber.has_value());
  CHECK(*part.seqNumber == built->seqNumber);
  CHECK(built->seqNumber != 0);
  CHECK(built->seqNumber <= 0x3fffffffu);
  CHECK(built->contextKeyIsAcceptorSubkey);
  CHECK(built->contextKey.value == built->acceptorSubkey->value);

  auto token = spnego::unwrapKrb5Token(built->token);
  REQUIRE(token.ok());
  CHECK(token->tokId == spnego::TokId::ApRep);
  CHECK(spnego::oidEqual(token->mechOid, spnego::krb5Oid()));
  CHECK(token->message == built->apRep);
}

TEST_CASE("AP-REP builder: without acceptor subkey the context key is the initiator's",
          "[acceptor][ap_rep]") {
  SeededRng rng(4);
  ApRepOptions options;
  options.acceptorSubkey = false;
  options.seqNumber = 77;

  const AcceptedContext withInitiatorSubkey = acceptedContext(true);
  auto a = buildApRep(withInitiatorSubkey, rng, options, spnego::msKrb5Oid());
  REQUIRE(a.ok());
  const messages::EncApRepPart part = openApRep(a->apRep, withInitiatorSubkey.sessionKey);
  CHECK_FALSE(part.subkey.has_value());
  CHECK(part.seqNumber == 77u);
  CHECK_FALSE(a->contextKeyIsAcceptorSubkey);
  CHECK(a->contextKey.value == withInitiatorSubkey.initiatorSubkey->value);
  auto token = spnego::unwrapKrb5Token(a->token);
  REQUIRE(token.ok());
  CHECK(spnego::oidEqual(token->mechOid, spnego::msKrb5Oid()));

  const AcceptedContext noSubkey = acceptedContext(false);
  auto b = buildApRep(noSubkey, rng, options);
  REQUIRE(b.ok());
  CHECK(b->contextKey.value == noSubkey.sessionKey.value);
}

TEST_CASE("AP-REP builder: the same rng seed gives the same bytes", "[acceptor][ap_rep]") {
  const AcceptedContext ctx = acceptedContext(true);
  SeededRng r1(9);
  SeededRng r2(9);
  auto a = buildApRep(ctx, r1);
  auto b = buildApRep(ctx, r2);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->token == b->token);
}
