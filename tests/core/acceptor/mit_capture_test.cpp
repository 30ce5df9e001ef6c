// The real curl --negotiate request of the MIT capture (captures/README.md), verified with the keys of the
// capture keytab and a clock set to the capture time; the AP-REP we build is compared with the one Apache
// (mod_auth_gssapi on MIT krb5 1.20) sent back. Nothing is copied into the repository.
#include <catch2/catch.hpp>

#include <string>

#include "core/acceptor/ap_rep_builder.hpp"
#include "core/acceptor/ap_req_verifier.hpp"
#include "core/acceptor/negotiate_acceptor.hpp"
#include "core/common/base64.hpp"
#include "core/iana/ap_options.hpp"
#include "core/iana/key_usage.hpp"
#include "core/keytab/keytab.hpp"
#include "core/messages/ap_rep.hpp"
#include "core/messages/ap_req.hpp"
#include "core/spnego/gss_checksum.hpp"
#include "core/spnego/gss_framing.hpp"
#include "core/spnego/neg_token.hpp"
#include "tests/support/pcapng.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::acceptor;
using kerbpool::test::readFile;
using kerbpool::test::referenceDir;

namespace {

// Frame 10 (the GET with the Authorization header) arrived at 1795392623.861369937.
const TimePoint kCaptureTime = fromUnixSeconds(1795392623) + Micros(861369);

// The header value from the HTTP payloads (TCP port 18080); each message fits in one segment.
std::string headerValue(const std::string& name) {
  const Bytes pcap = readFile(referenceDir() / "captures" / "mit-kinit-kvno-curl.pcapng");
  for (const auto& p : kerbpool::test::readPcapngPayloads(pcap)) {
    if (p.udp || (p.srcPort != 18080 && p.dstPort != 18080)) {
      continue;
    }
    const std::string text(p.payload.begin(), p.payload.end());
    const auto pos = text.find(name);
    if (pos != std::string::npos) {
      const auto end = text.find("\r\n", pos);
      REQUIRE(end != std::string::npos);
      return text.substr(pos + name.size(), end - pos - name.size());
    }
  }
  FAIL("no HTTP payload with " << name);
  return {};
}

AcceptorKeys captureKeys() {
  auto kt = keytab::Keytab::readFile(referenceDir() / "captures" / "mit-kinit-kvno-curl.keytab");
  REQUIRE(kt.ok());
  return AcceptorKeys::fromKeytab(*kt);
}

Bytes requestToken() {
  auto token = base64Decode(headerValue("Authorization: Negotiate "));
  REQUIRE(token.ok());
  return *token;
}

Bytes apReqOf(const Bytes& spnegoToken) {
  auto initial = spnego::decodeInitialToken(spnegoToken);
  REQUIRE(initial.ok());
  REQUIRE(initial->negTokenInit);
  auto krb5 = spnego::unwrapKrb5Token(*initial->negTokenInit->mechToken);
  REQUIRE(krb5.ok());
  return krb5->message;
}

}  // namespace

TEST_CASE("MIT capture: curl's AP-REQ for HTTP/pool.contoso.test is accepted as alice",
          "[acceptor][capture]") {
  const AcceptorKeys keys = captureKeys();
  ManualClock clock(kCaptureTime);
  ReplayCache cache(clock);
  const Bytes apReq = apReqOf(requestToken());

  auto ctx = verifyApReq(apReq, keys, cache, clock);
  INFO((ctx.ok() ? "" : ctx.error().message()));
  REQUIRE(ctx.ok());
  CHECK(ctx->clientPrincipal == "alice@CONTOSO.TEST");
  CHECK(ctx->servicePrincipal == "HTTP/pool.contoso.test");
  CHECK(ctx->serviceRealm == "CONTOSO.TEST");
  CHECK(ctx->kvno == 2);
  CHECK(ctx->ticketEnctype == 18);
  CHECK(ctx->sessionKey.enctype == 18);
  CHECK_FALSE(ctx->groups.has_value());  // an MIT ticket has no kerbpool group authdata
  // curl asks for GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG; MIT's initiator adds CONF and INTEG and always
  // GSS_C_TRANS_FLAG (0x100, init_sec_context.c): 0x136, no SEQUENCE.
  using namespace spnego::gss_flags;
  constexpr std::uint32_t kTrans = 0x100;
  CHECK(ctx->gssFlags == (kMutual | kReplay | kConf | kInteg | kTrans));
  CHECK(ctx->mutualRequested);
  CHECK((ctx->apOptions & iana::ap_options::mutual_required) != 0);
  REQUIRE(ctx->initiatorSubkey.has_value());
  CHECK(ctx->initiatorSubkey->enctype == 18);
  CHECK(ctx->initiatorSeqNumber.has_value());
  CHECK(std::llabs(ctx->ctime - toUnixSeconds(kCaptureTime)) <= 1);
  CHECK(ctx->authTime <= kCaptureTime);
  CHECK(ctx->endTime > kCaptureTime);

  SECTION("the same token again is a replay") {
    auto again = verifyApReq(apReq, keys, cache, clock);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == "replay");
  }
  SECTION("a node whose clock is six minutes off refuses it") {
    ManualClock late(kCaptureTime + std::chrono::minutes(6));
    ReplayCache c2(late);
    auto r = verifyApReq(apReq, keys, c2, late);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "clock_skew");
  }
  SECTION("a node with only other keys names them") {
    AcceptorKeys other;
    other.add(
        {{"HOST/fe02.contoso.test", "HTTP/fe02.contoso.test"}, "CONTOSO.TEST", 5, keys.entries()[0].key});
    ReplayCache c4(clock);
    auto r = verifyApReq(apReq, other, c4, clock);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "no_key_for_spn");
    CHECK(r.error().detail ==
          "no key for HTTP/pool.contoso.test (kvno 2, aes256-cts-hmac-sha1-96): this node holds keys for "
          "HOST/fe02.contoso.test, HTTP/fe02.contoso.test");
  }
}

TEST_CASE("MIT capture: our AP-REP has the structure of Apache's", "[acceptor][capture]") {
  const AcceptorKeys keys = captureKeys();
  ManualClock clock(kCaptureTime);
  ReplayCache cache(clock);
  auto ctx = verifyApReq(apReqOf(requestToken()), keys, cache, clock);
  REQUIRE(ctx.ok());

  // Apache's answer: NegTokenResp { accept-completed, krb5, 60 .. krb5 02 00 AP-REP }.
  auto theirs = base64Decode(headerValue("WWW-Authenticate: Negotiate "));
  REQUIRE(theirs.ok());
  auto theirResp = spnego::decodeNegTokenResp(*theirs);
  REQUIRE(theirResp.ok());
  auto theirToken = spnego::unwrapKrb5Token(*theirResp->responseToken);
  REQUIRE(theirToken.ok());
  auto theirApRep = messages::decode<messages::ApRep>(theirToken->message);
  REQUIRE(theirApRep.ok());
  auto theirPlain = crypto::decrypt(ctx->sessionKey, iana::toUsage(iana::KeyUsage::AP_REP_ENCPART),
                                    theirApRep->encPart.cipher);
  REQUIRE(theirPlain.ok());
  auto theirPart = messages::decode<messages::EncApRepPart>(*theirPlain);
  REQUIRE(theirPart.ok());

  // Ours, through the whole Negotiate acceptor (a fresh cache: the token was just accepted above).
  ReplayCache fresh(clock);
  SeededRng rng(1);
  const NegotiateOutcome outcome = acceptNegotiate(requestToken(), keys, fresh, clock, rng);
  REQUIRE(std::holds_alternative<NegotiateAccepted>(outcome));
  const auto& accepted = std::get<NegotiateAccepted>(outcome);
  REQUIRE(accepted.responseToken.has_value());
  auto ourResp = spnego::decodeNegTokenResp(*accepted.responseToken);
  REQUIRE(ourResp.ok());
  auto ourToken = spnego::unwrapKrb5Token(*ourResp->responseToken);
  REQUIRE(ourToken.ok());
  auto ourApRep = messages::decode<messages::ApRep>(ourToken->message);
  REQUIRE(ourApRep.ok());
  auto ourPlain = crypto::decrypt(ctx->sessionKey, iana::toUsage(iana::KeyUsage::AP_REP_ENCPART),
                                  ourApRep->encPart.cipher);
  REQUIRE(ourPlain.ok());
  auto ourPart = messages::decode<messages::EncApRepPart>(*ourPlain);
  REQUIRE(ourPart.ok());

  // SPNEGO layer.
  CHECK(ourResp->negState == theirResp->negState);
  REQUIRE(ourResp->supportedMech.has_value());
  CHECK(*ourResp->supportedMech == *theirResp->supportedMech);
  CHECK(ourResp->mechListMic.has_value() == theirResp->mechListMic.has_value());
  // GSS framing.
  CHECK(ourToken->mechOid == theirToken->mechOid);
  CHECK(ourToken->tokId == theirToken->tokId);
  // AP-REP: same etype, no kvno, the same ciphertext length (same plaintext layout).
  CHECK(ourApRep->encPart.etype == theirApRep->encPart.etype);
  CHECK(ourApRep->encPart.kvno == theirApRep->encPart.kvno);
  CHECK(ourApRep->encPart.cipher.size() == theirApRep->encPart.cipher.size());
  // EncAPRepPart: ctime/cusec repeated, a subkey of the same enctype, a seq-number.
  CHECK(theirPart->ctime == ctx->ctime);
  CHECK(theirPart->cusec == ctx->cusec);
  CHECK(ourPart->ctime == theirPart->ctime);
  CHECK(ourPart->cusec == theirPart->cusec);
  REQUIRE(theirPart->subkey.has_value());
  REQUIRE(ourPart->subkey.has_value());
  CHECK(ourPart->subkey->keytype == theirPart->subkey->keytype);
  CHECK(ourPart->subkey->keyvalue.size() == theirPart->subkey->keyvalue.size());
  CHECK(ourPart->seqNumber.has_value() == theirPart->seqNumber.has_value());
  CHECK(*ourPart->seqNumber <= 0x3fffffffu);
  CHECK(*theirPart->seqNumber <= 0x3fffffffu);
  CHECK(accepted.context.clientPrincipal == "alice@CONTOSO.TEST");
}
