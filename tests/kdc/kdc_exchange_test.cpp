// kerbpool's KDC driven by kerbpool's own client through the dispatcher (no sockets), with injected clocks:
// skew, expiry, tampering, renewal, groups, SPN aliases and key versions.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "client/kdc_error.hpp"
#include "client/kerberos_client.hpp"
#include "client/tgs_exchange.hpp"
#include "core/common/clock.hpp"
#include "core/common/rng.hpp"
#include "core/crypto/enctype.hpp"
#include "core/iana/key_usage.hpp"
#include "core/messages/group_authdata.hpp"
#include "core/messages/krb_error.hpp"
#include "core/messages/ticket.hpp"
#include "kdc/kdc_service.hpp"
#include "kdc/realm_file.hpp"
#include "tests/support/kdc_fixture.hpp"

using namespace kerbpool;
namespace messages = core::messages;
namespace iana = core::iana;

namespace {

const core::TimePoint kStart = core::fromUnixSeconds(1'795'392'000);  // 2026-11-23 00:00 UTC

// The KDC in this process, on a ManualClock, reached through dispatch() as if over UDP.
struct InProcessKdc : client::KdcTransport {
  // The example realm, or the realm file text given.
  explicit InProcessKdc(const std::string& realmJson = "")
      : clock(kStart),
        events(clock),
        rng(7),
        realm(load(events, realmJson)),
        service(makeConfig(realm), *realm.directory, events, clock, rng) {}

  static kdc::Realm load(kdc::EventLog& events, const std::string& realmJson) {
    auto r = realmJson.empty()
                 ? kdc::loadRealmFile(test::sourceDir() / "examples" / "contoso.realm.json", events)
                 : kdc::parseRealmFile(realmJson, events);
    INFO((r.ok() ? std::string() : r.error().message()));
    REQUIRE(r.ok());
    return std::move(*r);
  }
  static kdc::KdcConfig makeConfig(const kdc::Realm& r) {
    kdc::KdcConfig c;
    c.realm = r.settings.realm;
    return c;
  }

  core::Result<core::Bytes> exchange(core::BytesView request) override {
    lastRequest.assign(request.begin(), request.end());
    auto reply = service.dispatch(request, kdc::RequestContext{kdc::Transport::Udp, "127.0.0.1:1"});
    if (!reply) {
      return core::makeError(core::ErrorCategory::Io, "dropped", "the KDC dropped the request");
    }
    replies.push_back(*reply);
    return *reply;
  }

  core::ManualClock clock;
  kdc::EventLog events;
  core::SeededRng rng;
  kdc::Realm realm;
  kdc::KdcService service;
  core::Bytes lastRequest;
  std::vector<core::Bytes> replies;
};

client::KerberosClientConfig clientConfig() {
  client::KerberosClientConfig c;
  c.realm = "CONTOSO.TEST";
  return c;
}

messages::EncTicketPart openTicket(const messages::Ticket& t, const core::crypto::Key& key) {
  auto plain = core::crypto::decrypt(key, iana::toUsage(iana::KeyUsage::KDC_REP_TICKET), t.encPart.cipher);
  REQUIRE(plain.ok());
  auto etp = messages::decode<messages::EncTicketPart>(*plain);
  REQUIRE(etp.ok());
  return *etp;
}

}  // namespace

TEST_CASE("a workstation clock 10 minutes fast gets KRB_AP_ERR_SKEW with the KDC's time", "[kdc]") {
  InProcessKdc kdc;
  core::OffsetClock workstation(kdc.clock, std::chrono::minutes(10));
  core::SeededRng rng(1);
  client::KerberosClient alice(kdc, workstation, rng, clientConfig());
  auto tgt = alice.getTgt("alice", "Passw0rd!");
  REQUIRE(tgt.ok());
  CHECK(tgt->skewCorrected);
  CHECK(tgt->clockOffset == -std::chrono::minutes(10));
  CHECK(kdc.service.stats().errorCount("KRB_AP_ERR_SKEW") == 1);
  CHECK(kdc.events.count(kdc::event_id::kPreAuthFailed) == 1);

  // The skew error itself carries the KDC's time, which is how the client could correct.
  bool sawSkew = false;
  for (const auto& r : kdc.replies) {
    auto e = messages::decode<messages::KrbError>(r);
    if (e.ok() && e->errorCode == iana::ErrorCode::KRB_AP_ERR_SKEW) {
      sawSkew = true;
      CHECK(e->stime == core::toUnixSeconds(kdc.clock.now()));
    }
  }
  CHECK(sawSkew);
  // With the learned offset, TGS requests are accepted too.
  CHECK(alice.getServiceTicket("HTTP/pool.contoso.test").ok());
}

TEST_CASE("a tampered TGT is refused with KRB_AP_ERR_BAD_INTEGRITY and the KDC keeps serving", "[kdc]") {
  InProcessKdc kdc;
  core::SeededRng rng(2);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  auto tgt = alice.getTgt("alice", "Passw0rd!");
  REQUIRE(tgt.ok());
  client::Credential forged = tgt->credential;
  forged.ticket.encPart.cipher[20] ^= 0x01;
  forged.ticket.raw.clear();
  forged.ticketBytes = messages::encode(forged.ticket);
  auto server = client::parseServicePrincipal("HTTP/pool.contoso.test", "CONTOSO.TEST");
  REQUIRE(server.ok());
  auto req = client::buildTgsRequest(forged, *server, kdc.clock, rng);
  REQUIRE(req.ok());
  auto reply = kdc.exchange(req->bytes);
  REQUIRE(reply.ok());
  auto err = messages::decode<messages::KrbError>(*reply);
  REQUIRE(err.ok());
  CHECK(err->errorCode == iana::ErrorCode::KRB_AP_ERR_BAD_INTEGRITY);
  CHECK(alice.getServiceTicket("HTTP/pool.contoso.test").ok());
}

TEST_CASE("a TGS-REQ whose body changed after the checksum is KRB_AP_ERR_MODIFIED", "[kdc]") {
  InProcessKdc kdc;
  core::SeededRng rng(3);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  auto tgt = alice.getTgt("alice", "Passw0rd!");
  REQUIRE(tgt.ok());
  auto server = client::parseServicePrincipal("HTTP/pool.contoso.test", "CONTOSO.TEST");
  auto req = client::buildTgsRequest(tgt->credential, *server, kdc.clock, rng);
  REQUIRE(req.ok());
  auto decoded = messages::decode<messages::TgsReq>(req->bytes);
  REQUIRE(decoded.ok());
  decoded->reqBody.nonce ^= 1;
  decoded->reqBody.raw.clear();
  auto reply = kdc.exchange(messages::encode(*decoded));
  REQUIRE(reply.ok());
  auto err = messages::decode<messages::KrbError>(*reply);
  REQUIRE(err.ok());
  CHECK(err->errorCode == iana::ErrorCode::KRB_AP_ERR_MODIFIED);
}

TEST_CASE("a TGS-REQ without a body checksum is answered as AD does, unless the KDC requires one", "[kdc]") {
  // Impacket's getST sends no checksum in the PA-TGS-REQ authenticator: AD answers, MIT's KDC refuses.
  InProcessKdc kdc;
  core::SeededRng rng(5);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  auto tgt = alice.getTgt("alice", "Passw0rd!");
  REQUIRE(tgt.ok());
  auto server = client::parseServicePrincipal("HTTP/pool.contoso.test", "CONTOSO.TEST");
  REQUIRE(server.ok());
  client::TgsRequestOptions noChecksum;
  noChecksum.bodyChecksum = false;
  auto req = client::buildTgsRequest(tgt->credential, *server, kdc.clock, rng, noChecksum);
  REQUIRE(req.ok());
  auto reply = kdc.exchange(req->bytes);
  REQUIRE(reply.ok());
  auto rep = client::processTgsReply(*req, tgt->credential, *reply);
  INFO((rep.ok() ? std::string() : rep.error().message()));
  REQUIRE(rep.ok());
  CHECK(messages::displayName(rep->ticket.sname) == "HTTP/pool.contoso.test");
  CHECK(kdc.service.stats().requestCount("TGS-REQ without a body checksum") == 1);

  // The authenticator is still checked: sealed with another key, the request is refused.
  auto forged = tgt->credential;
  forged.sessionKey.value[0] ^= 0x01;
  auto bad = client::buildTgsRequest(forged, *server, kdc.clock, rng, noChecksum);
  REQUIRE(bad.ok());
  auto badReply = kdc.exchange(bad->bytes);
  REQUIRE(badReply.ok());
  auto badErr = messages::decode<messages::KrbError>(*badReply);
  REQUIRE(badErr.ok());
  CHECK(badErr->errorCode == iana::ErrorCode::KRB_AP_ERR_BAD_INTEGRITY);

  // A KDC configured like MIT's refuses it.
  kdc::KdcConfig strict = InProcessKdc::makeConfig(kdc.realm);
  strict.requireTgsBodyChecksum = true;
  kdc::KdcService mitLike(strict, *kdc.realm.directory, kdc.events, kdc.clock, kdc.rng);
  auto again = client::buildTgsRequest(tgt->credential, *server, kdc.clock, rng, noChecksum);
  REQUIRE(again.ok());
  auto refused = mitLike.dispatch(again->bytes, kdc::RequestContext{kdc::Transport::Udp, "127.0.0.1:1"});
  REQUIRE(refused.has_value());
  auto err = messages::decode<messages::KrbError>(*refused);
  REQUIRE(err.ok());
  CHECK(err->errorCode == iana::ErrorCode::KRB_AP_ERR_INAPP_CKSUM);
}

TEST_CASE("an expired TGT is refused and a renewal inside renew-till is honoured", "[kdc]") {
  InProcessKdc kdc;
  core::SeededRng rng(4);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  auto tgt = alice.getTgt("alice", "Passw0rd!");
  REQUIRE(tgt.ok());
  CHECK(tgt->credential.endtime - tgt->credential.authtime == 10 * 3600);
  REQUIRE(tgt->credential.renewTill.has_value());
  CHECK(*tgt->credential.renewTill - tgt->credential.authtime <= 7 * 24 * 3600);

  // Renewed before it expires (9 h in): a new TGT with the same authtime and a later endtime.
  kdc.clock.advance(std::chrono::hours(9));
  auto renewed = alice.renewTgt();
  INFO((renewed.ok() ? std::string() : renewed.error().message()));
  REQUIRE(renewed.ok());
  CHECK(renewed->authtime == tgt->credential.authtime);
  CHECK(renewed->endtime > tgt->credential.endtime);

  // The original TGT, past its endtime, is refused even though renew-till has not passed.
  kdc.clock.advance(std::chrono::hours(2));
  auto server = client::parseServicePrincipal("HTTP/pool.contoso.test", "CONTOSO.TEST");
  REQUIRE(server.ok());
  for (bool renew : {false, true}) {
    auto req = renew ? client::buildRenewalRequest(tgt->credential, kdc.clock, rng)
                     : client::buildTgsRequest(tgt->credential, *server, kdc.clock, rng);
    REQUIRE(req.ok());
    auto reply = kdc.exchange(req->bytes);
    REQUIRE(reply.ok());
    auto err = messages::decode<messages::KrbError>(*reply);
    REQUIRE(err.ok());
    CHECK(err->errorCode == iana::ErrorCode::KRB_AP_ERR_TKT_EXPIRED);
  }
  CHECK(alice.getServiceTicket("HTTP/pool.contoso.test").ok());
}

TEST_CASE("the service ticket is sealed with the holder's current key and carries the client's groups",
          "[kdc]") {
  InProcessKdc kdc;
  core::SeededRng rng(5);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  REQUIRE(alice.getTgt("alice", "Passw0rd!").ok());
  auto st = alice.getServiceTicket("HTTP/pool.contoso.test");
  REQUIRE(st.ok());
  CHECK(st->ticket.encPart.kvno == 1u);
  auto key = kdc.realm.directory->key("POOLKERB$", 1, st->ticket.encPart.etype);
  REQUIRE(key.ok());
  const auto etp = openTicket(st->ticket, *key);
  CHECK(etp.cname.nameString == std::vector<std::string>{"alice"});
  REQUIRE(etp.authorizationData.has_value());
  auto groups = messages::extractGroups(*etp.authorizationData);
  REQUIRE(groups.ok());
  REQUIRE(groups->has_value());
  CHECK(**groups == std::vector<std::string>{"Domain Users", "Pool Users"});
  CHECK(etp.key.keyvalue == st->sessionKey.value);

  // A password set on the shared account moves new tickets to kvno 2.
  REQUIRE(kdc.realm.directory->setPassword("POOLKERB$", "rolled-password-2").ok());
  client::KerberosClient bob(kdc, kdc.clock, rng, clientConfig());
  REQUIRE(bob.getTgt("bob", "B0bPassw0rd!").ok());
  auto st2 = bob.getServiceTicket("HTTP/pool.contoso.test");
  REQUIRE(st2.ok());
  CHECK(st2->ticket.encPart.kvno == 2u);
}

TEST_CASE("HTTP/fe01.contoso.test resolves to FE01$ through the HOST alias", "[kdc]") {
  InProcessKdc kdc;
  core::SeededRng rng(6);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  REQUIRE(alice.getTgt("alice", "Passw0rd!").ok());
  auto st = alice.getServiceTicket("HTTP/fe01.contoso.test");
  REQUIRE(st.ok());
  auto key = kdc.realm.directory->key("FE01$", *st->ticket.encPart.kvno, st->ticket.encPart.etype);
  REQUIRE(key.ok());
  CHECK(openTicket(st->ticket, *key).cname.nameString.front() == "alice");
  auto issued = kdc.events.query(kdc::event_id::kServiceTicketRequested);
  REQUIRE(!issued.empty());
  CHECK(issued.back().fields.at("ServiceName") == "FE01$");

  auto missing = alice.getServiceTicket("HTTP/nowhere.contoso.test");
  REQUIRE_FALSE(missing.ok());
  CHECK(client::krbErrorCode(missing.error()) == iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN);
}

TEST_CASE("duplicate SPNs refuse every client and log event 11 once per request", "[kdc]") {
  InProcessKdc kdc;
  auto& dir = *kdc.realm.directory;
  REQUIRE(dir.deleteSpn("POOLKERB$", "HTTP/pool.contoso.test").ok());
  for (const char* node : {"FE01$", "FE02$", "FE03$"}) {
    REQUIRE(dir.addSpn(node, "HTTP/pool.contoso.test").ok());
  }
  core::SeededRng rng(8);
  for (const char* user : {"alice", "bob"}) {
    client::KerberosClient c(kdc, kdc.clock, rng, clientConfig());
    REQUIRE(c.getTgt(user, std::string(user) == "alice" ? "Passw0rd!" : "B0bPassw0rd!").ok());
    auto st = c.getServiceTicket("HTTP/pool.contoso.test");
    REQUIRE_FALSE(st.ok());
    CHECK(client::krbErrorCode(st.error()) == iana::ErrorCode::KDC_ERR_S_PRINCIPAL_UNKNOWN);
  }
  CHECK(kdc.events.count(kdc::event_id::kDuplicateName) == 2);
  CHECK(kdc.service.stats().errorCount("KDC_ERR_S_PRINCIPAL_UNKNOWN") == 2);
}

namespace {

client::KerberosClientConfig rc4OnlyClient() {
  client::KerberosClientConfig c = clientConfig();
  c.as.etypes = {23};
  c.tgs.etypes = {23};
  return c;
}

}  // namespace

TEST_CASE("an RC4-only client against AES-only krbtgt gets KDC_ERR_ETYPE_NOSUPP and event 26",
          "[kdc][etypes]") {
  InProcessKdc kdc;
  core::SeededRng rng(11);
  client::KerberosClient old(kdc, kdc.clock, rng, rc4OnlyClient());
  auto tgt = old.getTgt("alice", "Passw0rd!");
  REQUIRE_FALSE(tgt.ok());
  CHECK(client::krbErrorCode(tgt.error()) == iana::ErrorCode::KDC_ERR_ETYPE_NOSUPP);
  REQUIRE(kdc.events.count(kdc::event_id::kNoSuitableKeyAs) == 1);
  const auto ev = kdc.events.query(kdc::event_id::kNoSuitableKeyAs).at(0);
  CHECK(ev.source == "Microsoft-Windows-Kerberos-Key-Distribution-Center");
  CHECK(ev.fields.at("TargetName") == "krbtgt/CONTOSO.TEST");
  CHECK(
      ev.message ==
      "While processing an AS request for the target krbtgt/CONTOSO.TEST, the account krbtgt did not have a "
      "suitable key for generating a Kerberos ticket (the missing key has an ID of 23). The requested etypes "
      "were 23. The accounts available etypes were 18 17.");
}

TEST_CASE("with RC4 allowed on krbtgt and the pool account, an RC4-only client gets RC4 session keys",
          "[kdc][etypes]") {
  InProcessKdc kdc(test::exampleRealmWithRc4());
  core::SeededRng rng(12);
  client::KerberosClient old(kdc, kdc.clock, rng, rc4OnlyClient());
  auto tgt = old.getTgt("alice", "Passw0rd!");
  INFO((tgt.ok() ? std::string() : tgt.error().message()));
  REQUIRE(tgt.ok());
  CHECK(tgt->credential.sessionKey.enctype == 23);
  // The TGT itself is sealed with krbtgt's strongest key, whatever the client asked for.
  CHECK(tgt->credential.ticket.encPart.etype == 18);

  auto st = old.getServiceTicket("HTTP/pool.contoso.test");
  INFO((st.ok() ? std::string() : st.error().message()));
  REQUIRE(st.ok());
  CHECK(st->sessionKey.enctype == 23);
  CHECK(st->ticket.encPart.etype == 18);

  // A service that allows only AES refuses the RC4-only request: KDC_ERR_ETYPE_NOSUPP and event 27.
  auto host = old.getServiceTicket("HOST/fe01.contoso.test");
  REQUIRE_FALSE(host.ok());
  CHECK(client::krbErrorCode(host.error()) == iana::ErrorCode::KDC_ERR_ETYPE_NOSUPP);
  REQUIRE(kdc.events.count(kdc::event_id::kNoSuitableKeyTgs) == 1);
  CHECK_THAT(kdc.events.query(kdc::event_id::kNoSuitableKeyTgs).at(0).message,
             Catch::Contains("the account FE01$ did not have a suitable key for generating a Kerberos ticket "
                             "(the missing key has an ID of 23). The requested etypes were 23. The accounts "
                             "available etypes were 18 17."));
}

TEST_CASE("a pool account whose password predates AES: KDC_ERR_ETYPE_NOSUPP and event 16, until it is reset",
          "[kdc][etypes]") {
  InProcessKdc kdc;
  auto& dir = *kdc.realm.directory;
  // The password is set while the domain derives no AES key (below the 2008 functional level); then the
  // level is raised, which changes no existing key.
  dir.setDerivesAesKeys(false);
  const auto kvno = dir.setPassword("POOLKERB$", "set-in-2011");
  REQUIRE(kvno.ok());
  dir.setDerivesAesKeys(true);
  const auto account = dir.account("POOLKERB$");
  REQUIRE(account.has_value());
  REQUIRE(account->currentKeys()->keys.size() == 1);
  CHECK(account->currentKeys()->keys.front().enctype == 23);

  core::SeededRng rng(13);
  client::KerberosClient c(kdc, kdc.clock, rng, clientConfig());
  REQUIRE(c.getTgt("alice", "Passw0rd!").ok());
  auto st = c.getServiceTicket("HTTP/pool.contoso.test");
  REQUIRE_FALSE(st.ok());
  CHECK(client::krbErrorCode(st.error()) == iana::ErrorCode::KDC_ERR_ETYPE_NOSUPP);
  REQUIRE(kdc.events.count(kdc::event_id::kMissingKeyTgs) == 1);
  CHECK(kdc.events.count(kdc::event_id::kNoSuitableKeyTgs) == 0);
  const auto ev = kdc.events.query(kdc::event_id::kMissingKeyTgs).at(0);
  CHECK(ev.source == "Microsoft-Windows-Kerberos-Key-Distribution-Center");
  CHECK(ev.message ==
        "While processing a TGS request for the target server HTTP/pool.contoso.test, the account POOLKERB$ "
        "did "
        "not have a suitable key for generating a Kerberos ticket (the missing key has an ID of 18). The "
        "requested etypes were 18 17. The accounts available etypes were 23. Changing or resetting the "
        "password "
        "of POOLKERB$ will generate a proper key.");

  // A password set now derives AES keys: the same request succeeds.
  REQUIRE(dir.setPassword("POOLKERB$", "reset-in-2026").ok());
  auto again = c.getServiceTicket("HTTP/pool.contoso.test");
  INFO((again.ok() ? std::string() : again.error().message()));
  REQUIRE(again.ok());
  CHECK(again->ticket.encPart.etype == 18);
}

TEST_CASE("DefaultDomainSupportedEncTypes governs an account without msDS-SupportedEncryptionTypes",
          "[kdc][etypes]") {
  InProcessKdc kdc;
  auto& dir = *kdc.realm.directory;
  // POOLKERB$ has no attribute of its own and a password from before AES: an RC4 key only.
  REQUIRE(dir.account("POOLKERB$")->supportedEncryptionTypes == kdc::supported_enctypes::kNotSet);
  dir.setDerivesAesKeys(false);
  REQUIRE(dir.setPassword("POOLKERB$", "set-in-2011").ok());
  dir.setDerivesAesKeys(true);

  // A Windows client asks for AES256, AES128 and RC4, in that order.
  client::KerberosClientConfig windows = clientConfig();
  windows.as.etypes = {18, 17, 23};
  windows.tgs.etypes = {18, 17, 23};
  core::SeededRng rng(14);
  client::KerberosClient c(kdc, kdc.clock, rng, windows);
  REQUIRE(c.getTgt("alice", "Passw0rd!").ok());

  // The default (0x18, AES only since KB5073381): no AES key, so no ticket, and event 16.
  CHECK(dir.defaultDomainSupportedEncTypes() == 0x18);
  auto refused = c.getServiceTicket("HTTP/pool.contoso.test");
  REQUIRE_FALSE(refused.ok());
  CHECK(client::krbErrorCode(refused.error()) == iana::ErrorCode::KDC_ERR_ETYPE_NOSUPP);
  CHECK(kdc.events.count(kdc::event_id::kMissingKeyTgs) == 1);

  // 0x27 (November 2022's default): an RC4 ticket, and an AES session key because the client asked for one.
  dir.setDefaultDomainSupportedEncTypes(kdc::supported_enctypes::kDefaultDomainSupportedNov2022);
  auto rc4 = c.getServiceTicket("HTTP/pool.contoso.test");
  INFO((rc4.ok() ? std::string() : rc4.error().message()));
  REQUIRE(rc4.ok());
  CHECK(rc4->ticket.encPart.etype == 23);
  CHECK(rc4->sessionKey.enctype == 18);
  const auto key = dir.key("POOLKERB$", rc4->ticket.encPart.kvno.value_or(0), 23);
  REQUIRE(key.ok());
  CHECK(openTicket(rc4->ticket, *key).key.keytype == 18);

  // An account's own attribute wins over the domain default: 0x18 on POOLKERB$ refuses again.
  // A new logon, so that the cached RC4 ticket is not simply reused.
  REQUIRE(dir.setSupportedEncryptionTypes("POOLKERB$", 0x18).ok());
  client::KerberosClient fresh(kdc, kdc.clock, rng, windows);
  REQUIRE(fresh.getTgt("alice", "Passw0rd!").ok());
  auto own = fresh.getServiceTicket("HTTP/pool.contoso.test");
  REQUIRE_FALSE(own.ok());
  CHECK(client::krbErrorCode(own.error()) == iana::ErrorCode::KDC_ERR_ETYPE_NOSUPP);
  CHECK(kdc.events.count(kdc::event_id::kMissingKeyTgs) == 2);
}

TEST_CASE("supported-enctype masks parse as admins write them and name their enctypes", "[kdc][etypes]") {
  CHECK(*kdc::parseSupportedEnctypes("0x27") == 0x27);
  CHECK(*kdc::parseSupportedEnctypes("24") == 0x18);
  CHECK(*kdc::parseSupportedEnctypes("0X1c") == 0x1C);
  for (const char* bad : {"", "0x", "0x40", "0", "0x3", "x18", "1e3", "0x18 ", "123456789"}) {
    INFO(bad);
    CHECK_FALSE(kdc::parseSupportedEnctypes(bad).ok());
  }
  CHECK(kdc::describeSupportedEnctypes(0x27) == "0x27 (DES-CBC-CRC, DES-CBC-MD5, RC4, AES session keys)");
  CHECK(kdc::describeSupportedEnctypes(0x18) == "0x18 (AES128, AES256)");
}

TEST_CASE(
    "a disabled account's TGT buys service tickets for 20 minutes, then KDC_ERR_CLIENT_REVOKED "
    "(MS-KILE 3.3.5.7.1)",
    "[kdc]") {
  InProcessKdc kdc;
  core::SeededRng rng(5);
  client::KerberosClient alice(kdc, kdc.clock, rng, clientConfig());
  auto tgt = alice.getTgt("alice", "Passw0rd!");
  REQUIRE(tgt.ok());
  REQUIRE(kdc.realm.directory->setEnabled("alice", false).ok());
  auto server = client::parseServicePrincipal("HTTP/pool.contoso.test", "CONTOSO.TEST");
  REQUIRE(server.ok());
  const auto tgsError = [&]() -> std::optional<iana::ErrorCode> {
    auto req = client::buildTgsRequest(tgt->credential, *server, kdc.clock, rng);
    REQUIRE(req.ok());
    auto reply = kdc.exchange(req->bytes);
    REQUIRE(reply.ok());
    auto err = messages::decode<messages::KrbError>(*reply);
    return err.ok() ? std::optional<iana::ErrorCode>(err->errorCode) : std::nullopt;
  };
  // A TGT 19 minutes old is not checked again: the service ticket is issued.
  kdc.clock.advance(std::chrono::minutes(19));
  CHECK_FALSE(tgsError().has_value());
  // Older than 20 minutes: the KDC looks at the account, which is disabled.
  kdc.clock.advance(std::chrono::minutes(2));
  CHECK(tgsError() == iana::ErrorCode::KDC_ERR_CLIENT_REVOKED);
  // Enabled again, the same TGT works.
  REQUIRE(kdc.realm.directory->setEnabled("alice", true).ok());
  CHECK_FALSE(tgsError().has_value());
}
