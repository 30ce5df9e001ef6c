// Client and front-end logic: the client reproduces the MS-NLMP 4.2.4.3 AUTHENTICATE, and a full
// client -> front-end -> DC (validateNtlmv2) exchange under a ManualClock and SeededRng.
#include <catch2/catch.hpp>

#include "core/common/hex.hpp"
#include "core/ntlm/av_pairs.hpp"
#include "core/ntlm/ntlm_challenge.hpp"
#include "core/ntlm/ntlm_client.hpp"
#include "core/ntlm/ntlm_session.hpp"
#include "core/ntlm/ntlm_wire.hpp"
#include "core/ntlm/ntlmv2.hpp"
#include "tests/support/reference.hpp"

using namespace kerbpool::core;
using namespace kerbpool::core::ntlm;
using kerbpool::test::hexBytes;
using kerbpool::test::loadVectors;
using kerbpool::test::str;

namespace {

ChallengeOptions webServer() {
  ChallengeOptions o;
  o.nbDomainName = "CONTOSO";
  o.nbComputerName = "WEB1";
  o.dnsDomainName = "contoso.test";
  o.dnsComputerName = "web1.contoso.test";
  return o;
}

ClientOptions workstation() {
  ClientOptions o;
  o.workstation = "WS01";
  o.targetSpn = "HTTP/web1.contoso.test";
  return o;
}

// The DC's account database: NT hashes only.
Bytes storedHash(std::string_view password) {
  auto h = ntHash(password);
  REQUIRE(h.ok());
  return *h;
}

struct Exchange {
  PendingChallenge pending;
  ClientAuthenticate auth;
};

Exchange runClient(std::string_view password, std::uint64_t seed = 7) {
  ManualClock clock(fromUnixSeconds(1700000000));
  SeededRng clientRng(seed);
  SeededRng serverRng(seed + 1000);
  auto creds = credentialsFromPassword("alice", "CONTOSO", password);
  REQUIRE(creds.ok());
  NtlmClient client(workstation(), *creds, clock, clientRng);
  auto negotiate = client.negotiate();
  REQUIRE(negotiate.ok());
  auto pending = buildChallenge(*negotiate, webServer(), serverRng, clock);
  REQUIRE(pending.ok());
  clock.advance(Micros(1500));
  auto auth = client.authenticate(pending->challenge);
  REQUIRE(auth.ok());
  return {*pending, *auth};
}

}  // namespace

TEST_CASE("the client reproduces the MS-NLMP 4.2.4.3 AUTHENTICATE", "[ntlm][client]") {
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  for (const auto& v : doc.at("vectors")) {
    INFO(str(v, "name"));
    ClientOptions options;
    options.negotiateFlags = 0xe2888235;
    options.version = NtlmVersion{5, 1, 2600, {}, 15};
    options.workstation = str(v, "workstation");
    auto creds = credentialsFromPassword(str(v, "user"), str(v, "user_domain"), str(v, "password"));
    REQUIRE(creds.ok());
    auto negotiate = buildNegotiate(options);
    REQUIRE(negotiate.ok());
    auto out = buildAuthenticate(options, *creds, *negotiate, hexBytes(v.at("challenge_message_hex")),
                                 fromFileTime(0), hexBytes(v.at("client_challenge_hex")),
                                 hexBytes(v.at("random_session_key_hex")));
    REQUIRE(out.ok());
    CHECK(toHex(out->message) == str(v, "authenticate_message_hex"));
    CHECK(toHex(out->exportedSessionKey) == str(v, "random_session_key_hex"));
    CHECK(out->negotiateFlags == 0xe2888235);
    CHECK_FALSE(out->micIncluded);  // the spec CHALLENGE has no MsvAvTimestamp
  }
}

TEST_CASE("front-end challenge carries the names and the clock's timestamp", "[ntlm][client]") {
  ManualClock clock(fromUnixSeconds(1700000000));
  SeededRng rng(1);
  auto negotiate = buildNegotiate(workstation());
  REQUIRE(negotiate.ok());
  auto pending = buildChallenge(*negotiate, webServer(), rng, clock);
  REQUIRE(pending.ok());
  CHECK(pending->negotiate == *negotiate);
  CHECK(pending->timestamp == toFileTime(clock.now()));
  auto m = decodeChallenge(pending->challenge);
  REQUIRE(m.ok());
  CHECK(m->targetName == "CONTOSO");
  CHECK(m->serverChallenge == pending->serverChallenge);
  CHECK(m->negotiateFlags == pending->negotiateFlags);
  CHECK(hasFlag(m->negotiateFlags, NTLMSSP_TARGET_TYPE_DOMAIN | NTLMSSP_NEGOTIATE_TARGET_INFO |
                                       NTLMSSP_NEGOTIATE_UNICODE |
                                       NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
                                       NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_VERSION));
  CHECK_FALSE(hasFlag(m->negotiateFlags, NTLM_NEGOTIATE_OEM));
  REQUIRE(m->targetInfo.has_value());
  CHECK(m->targetInfo->text(AvId::MsvAvNbDomainName).value() == "CONTOSO");
  CHECK(m->targetInfo->text(AvId::MsvAvNbComputerName).value() == "WEB1");
  CHECK(m->targetInfo->text(AvId::MsvAvDnsDomainName).value() == "contoso.test");
  CHECK(m->targetInfo->text(AvId::MsvAvDnsComputerName).value() == "web1.contoso.test");
  CHECK(m->targetInfo->timestamp() == pending->timestamp);

  // A second challenge draws a fresh server challenge.
  auto second = buildChallenge(*negotiate, webServer(), rng, clock);
  CHECK(second->serverChallenge != pending->serverChallenge);

  // An OEM-only client gets OEM strings; a workgroup server names itself.
  NegotiateMessage oemClient;
  oemClient.negotiateFlags = NTLM_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM;
  auto options = webServer();
  options.domainJoined = false;
  auto oem = buildChallenge(encodeNegotiate(oemClient).value(), options, rng, clock);
  REQUIRE(oem.ok());
  auto oemMessage = decodeChallenge(oem->challenge).value();
  CHECK(hasFlag(oemMessage.negotiateFlags, NTLM_NEGOTIATE_OEM | NTLMSSP_TARGET_TYPE_SERVER));
  CHECK_FALSE(hasFlag(oemMessage.negotiateFlags, NTLMSSP_NEGOTIATE_UNICODE));
  CHECK_FALSE(oemMessage.version.has_value());
  CHECK(oemMessage.targetName == "WEB1");

  CHECK(buildChallenge(hexBytes("4e544c4d53535000"), webServer(), rng, clock).error().code == "truncated");
}

TEST_CASE("client to front-end to DC round trip with a MIC", "[ntlm][client]") {
  const Exchange ex = runClient("Pa55w.rd");
  CHECK(ex.auth.micIncluded);

  auto request = readAuthenticate(ex.auth.message);
  REQUIRE(request.ok());
  CHECK(request->micRequired);
  CHECK(request->message.userName == "alice");
  CHECK(request->message.domainName == "CONTOSO");
  CHECK(request->message.workstation == "WS01");
  CHECK(request->message.lmChallengeResponse == Bytes(24, 0));
  // The client used the server's time and extended the AV pairs as Windows does.
  const auto& pairs = request->clientBlob.avPairs;
  CHECK(request->clientBlob.timeStamp == ex.pending.timestamp);
  CHECK(pairs.flags() == kAvFlagMicPresent);
  REQUIRE(pairs.find(AvId::MsvAvChannelBindings) != nullptr);
  CHECK(pairs.find(AvId::MsvAvChannelBindings)->value == Bytes(16, 0));
  CHECK(pairs.text(AvId::MsvAvTargetName).value() == "HTTP/web1.contoso.test");
  CHECK(pairs.text(AvId::MsvAvDnsComputerName).value() == "web1.contoso.test");

  // Netlogon pass-through: the DC sees user, domain, server challenge and response, never the password.
  auto base = validateNtlmv2(storedHash("Pa55w.rd"), request->message.userName, request->message.domainName,
                             ex.pending.serverChallenge, request->message.ntChallengeResponse);
  REQUIRE(base.ok());
  auto accepted = completeAuthenticate(ex.pending, ex.auth.message, *base);
  REQUIRE(accepted.ok());
  CHECK(accepted->micVerified);
  CHECK(accepted->user == "alice");
  CHECK(accepted->exportedSessionKey == ex.auth.exportedSessionKey);

  auto client =
      NtlmSession::create(ex.auth.exportedSessionKey, ex.auth.negotiateFlags, NtlmSession::Role::Client);
  auto server =
      NtlmSession::create(accepted->exportedSessionKey, accepted->negotiateFlags, NtlmSession::Role::Server);
  REQUIRE(client.ok());
  REQUIRE(server.ok());
  auto sealed = client->seal(toBytes("hello"));
  REQUIRE(sealed.ok());
  CHECK(server->unseal(sealed->data, sealed->signature).value() == toBytes("hello"));

  // The same seeds give the same bytes.
  CHECK(runClient("Pa55w.rd").auth.message == ex.auth.message);
  CHECK(runClient("Pa55w.rd", 8).auth.message != ex.auth.message);
}

TEST_CASE("wrong password wrong challenge and tampered proof fail validation", "[ntlm][client]") {
  const Exchange ex = runClient("Pa55w.rd");
  const auto request = readAuthenticate(ex.auth.message).value();
  const auto& m = request.message;

  auto wrongPassword = validateNtlmv2(storedHash("pa55w.rd"), m.userName, m.domainName,
                                      ex.pending.serverChallenge, m.ntChallengeResponse);
  REQUIRE_FALSE(wrongPassword.ok());
  CHECK(wrongPassword.error().code == "ntlmv2_proof_mismatch");

  const Exchange other = runClient("Pa55w.rd", 99);  // another connection's server challenge
  CHECK(validateNtlmv2(storedHash("Pa55w.rd"), m.userName, m.domainName, other.pending.serverChallenge,
                       m.ntChallengeResponse)
            .error()
            .code == "ntlmv2_proof_mismatch");

  CHECK(validateNtlmv2(storedHash("Pa55w.rd"), "bob", m.domainName, ex.pending.serverChallenge,
                       m.ntChallengeResponse)
            .error()
            .code == "ntlmv2_proof_mismatch");

  // Tamper with NTProofStr inside the AUTHENTICATE bytes.
  Bytes tampered = ex.auth.message;
  const std::uint32_t ntOffset = wire::getLe32(tampered, 24);
  tampered[ntOffset + 3] ^= 0x01;
  auto t = readAuthenticate(tampered);
  REQUIRE(t.ok());
  CHECK(validateNtlmv2(storedHash("Pa55w.rd"), m.userName, m.domainName, ex.pending.serverChallenge,
                       t->message.ntChallengeResponse)
            .error()
            .code == "ntlmv2_proof_mismatch");

  // Tamper with the client's AV pairs (a byte of the echoed MsvAvNbDomainName): the proof fails too.
  Bytes blobTampered = ex.auth.message;
  blobTampered[ntOffset + 16 + 28 + 5] ^= 0x01;
  auto bt = readAuthenticate(blobTampered);
  REQUIRE(bt.ok());
  CHECK(validateNtlmv2(storedHash("Pa55w.rd"), m.userName, m.domainName, ex.pending.serverChallenge,
                       bt->message.ntChallengeResponse)
            .error()
            .code == "ntlmv2_proof_mismatch");
}

TEST_CASE("the MIC catches changes to any of the three messages", "[ntlm][client]") {
  const Exchange ex = runClient("Pa55w.rd");
  const auto m = readAuthenticate(ex.auth.message).value().message;
  const Bytes base = validateNtlmv2(storedHash("Pa55w.rd"), m.userName, m.domainName,
                                    ex.pending.serverChallenge, m.ntChallengeResponse)
                         .value();

  Bytes badMic = ex.auth.message;
  badMic[kAuthenticateMicOffset] ^= 0xff;
  auto r = completeAuthenticate(ex.pending, badMic, base);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category == ErrorCategory::Integrity);
  CHECK(r.error().code == "mic_mismatch");

  Bytes downgraded = ex.auth.message;  // strip KEY_EXCH from the AUTHENTICATE flags
  downgraded[63] &= 0xbf;
  CHECK(completeAuthenticate(ex.pending, downgraded, base).error().code == "mic_mismatch");

  PendingChallenge otherNegotiate = ex.pending;
  otherNegotiate.negotiate[12] ^= 0x10;  // the NEGOTIATE the server saw was altered in transit
  CHECK(completeAuthenticate(otherNegotiate, ex.auth.message, base).error().code == "mic_mismatch");

  PendingChallenge otherChallenge = ex.pending;
  otherChallenge.challenge[20] ^= 0x20;  // the client saw different CHALLENGE flags than were sent
  CHECK(completeAuthenticate(otherChallenge, ex.auth.message, base).error().code == "mic_mismatch");

  CHECK(completeAuthenticate(ex.pending, ex.auth.message, Bytes(16, 0)).error().code == "mic_mismatch");
}

TEST_CASE("the front-end refuses anonymous NTLMv1 and MIC-less AUTHENTICATE messages", "[ntlm][client]") {
  AuthenticateMessage anonymous;
  anonymous.negotiateFlags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_ANONYMOUS;
  anonymous.lmChallengeResponse = Bytes{0};
  CHECK(readAuthenticate(encodeAuthenticate(anonymous).value()).error().code == "anonymous_refused");

  AuthenticateMessage v1;
  v1.negotiateFlags = NTLMSSP_NEGOTIATE_UNICODE;
  v1.ntChallengeResponse = Bytes(24, 0x11);
  v1.userName = "alice";
  CHECK(readAuthenticate(encodeAuthenticate(v1).value()).error().code == "not_ntlmv2_response");

  // MsvAvFlags announces a MIC but the header has no room for it.
  AvPairList pairs;
  pairs.setFlags(kAvFlagMicPresent);
  const Bytes key = ntowfv2FromPassword("x", "alice", "CONTOSO").value();
  auto response = computeClientResponse(key, Bytes(8, 1), Bytes(8, 2), 0, encodeAvPairs(pairs).value());
  REQUIRE(response.ok());
  AuthenticateMessage noMic;
  noMic.negotiateFlags = NTLMSSP_NEGOTIATE_UNICODE;
  noMic.ntChallengeResponse = response->ntChallengeResponse;
  noMic.userName = "alice";
  auto r = readAuthenticate(encodeAuthenticate(noMic).value());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "mic_missing");

  CHECK(readAuthenticate(hexBytes("00")).error().code == "truncated");
}

TEST_CASE("the client refuses bad input with typed errors", "[ntlm][client]") {
  ManualClock clock(fromUnixSeconds(1700000000));
  SeededRng rng(3);
  auto creds = credentialsFromPassword("alice", "CONTOSO", "pw").value();
  NtlmClient client(workstation(), creds, clock, rng);
  CHECK(client.authenticate(Bytes(64, 0)).error().code == "no_negotiate");
  REQUIRE(client.negotiate().ok());
  CHECK(client.authenticate(Bytes(64, 0)).error().code == "bad_signature");
  const auto doc = loadVectors("ms-nlmp-ntlmv2.json");
  const Bytes challenge = hexBytes(doc.at("vectors").at(0).at("challenge_message_hex"));
  CHECK(client.authenticate(BytesView(challenge).first(50)).error().code == "buffer_out_of_range");
  CHECK(buildAuthenticate(workstation(), creds, {}, challenge, clock.now(), Bytes(7, 0), Bytes(16, 0))
            .error()
            .code == "bad_key_size");
  CHECK(credentialsFromPassword("a", "b", "\xff").error().code == "bad_utf8");
}
